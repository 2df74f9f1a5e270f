namespace Gateway.Ppp;

/// <summary>Restart timer and counters of RFC 1661 4.6, with the RFC's suggested defaults.</summary>
public sealed class NegotiationTimers
{
    /// <summary>Restart timer (RFC 1661 4.6: default 3 seconds).</summary>
    public int RestartMs { get; set; } = 3000;

    /// <summary>Configure-Requests sent without a reply before giving up (RFC 1661 4.6: default 10).</summary>
    public int MaxConfigure { get; set; } = 10;

    /// <summary>Terminate-Requests sent without an Ack before giving up (RFC 1661 4.6: default 2).</summary>
    public int MaxTerminate { get; set; } = 2;

    /// <summary>Configure-Naks sent without a Configure-Ack before Naks turn into Rejects (RFC 1661 4.6: default 5).</summary>
    public int MaxFailure { get; set; } = 5;
}
