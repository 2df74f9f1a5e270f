namespace Gateway.State;

/// <summary>Result kind of <see cref="IIpLeaseStore.AllocateAsync"/>.</summary>
public enum LeaseOutcome
{
    /// <summary>A free address was leased.</summary>
    Allocated = 0,

    /// <summary>The user's lingering address (from a session that ended within the linger time) was given back.</summary>
    Restored = 1,

    /// <summary>The session already held a lease; the same one is returned (allocation is idempotent per session).</summary>
    Existing = 2,

    /// <summary>No address left: every address is leased (or lingering, when reclaiming is disabled).</summary>
    PoolExhausted = 3,
}
