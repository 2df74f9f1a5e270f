namespace Gateway.Ppp;

/// <summary>Link phases (RFC 1661 3.2).</summary>
public enum PppPhase
{
    Dead,
    Establish,
    Authenticate,
    Network,
    Terminate,
}
