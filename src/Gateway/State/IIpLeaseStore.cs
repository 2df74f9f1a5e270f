using System.Net;

namespace Gateway.State;

/// <summary>
/// Inner IPv4 leases from the configured pool, allocated atomically across all nodes (an address is never handed out
/// twice). Every call may throw <see cref="StoreUnavailableException"/>.
/// </summary>
public interface IIpLeaseStore
{
    /// <summary>The pool this store leases from.</summary>
    IpPool Pool { get; }

    /// <summary>
    /// Leases an address for a session: the session's existing lease if it has one, else the user's lingering address
    /// if one is still reserved, else a free address (least recently used first), else (if configured) the lingering
    /// address closest to expiry; else <see cref="LeaseOutcome.PoolExhausted"/>.
    /// </summary>
    Task<LeaseAllocation> AllocateAsync(string userName, string sessionId, string nodeId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends the session's lease: the address lingers for the same user for the configured linger time (or is freed at
    /// once when that is zero). False if the session held no lease.
    /// </summary>
    Task<bool> ReleaseAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>The active or still lingering lease of an address, or null.</summary>
    Task<IpLease?> GetLeaseAsync(IPAddress address, CancellationToken cancellationToken = default);

    /// <summary>All active and lingering leases, ordered by address.</summary>
    Task<IReadOnlyList<IpLease>> ListLeasesAsync(CancellationToken cancellationToken = default);

    /// <summary>Pool statistics.</summary>
    Task<PoolUsage> GetPoolUsageAsync(CancellationToken cancellationToken = default);
}
