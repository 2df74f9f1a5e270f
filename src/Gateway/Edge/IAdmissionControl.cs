namespace Gateway.Edge;

/// <summary>Whether the edge admits new SSTP sessions; false (draining) makes SSTP_DUPLEX_POST answer 503.</summary>
public interface IAdmissionControl
{
    bool AcceptingSessions { get; }
}
