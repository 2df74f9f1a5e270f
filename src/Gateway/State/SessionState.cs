namespace Gateway.State;

/// <summary>Life-cycle state of a session as recorded in the store.</summary>
public enum SessionState
{
    /// <summary>TLS/SSTP/PPP negotiation in progress (authentication, IPCP).</summary>
    Connecting = 0,

    /// <summary>Network layer up, packets flow.</summary>
    Active = 1,

    /// <summary>Being torn down (disconnect requested or drain).</summary>
    Disconnecting = 2,

    /// <summary>Ended; kept only until the owner removes it.</summary>
    Closed = 3,
}
