namespace Gateway.State;

/// <summary>State of an address lease.</summary>
public enum LeaseState
{
    /// <summary>Bound to a live session.</summary>
    Active = 0,

    /// <summary>Session ended; the address stays reserved for the same user until <see cref="IpLease.LingerUntil"/>.</summary>
    Lingering = 1,
}
