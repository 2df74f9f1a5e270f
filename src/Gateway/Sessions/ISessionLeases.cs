namespace Gateway.Sessions;

/// <summary>
/// Inner IPv4 addresses (and, with IPv6 on, /64 prefixes) for sessions. The lease binds an address to a user and session so that a user who
/// reconnects soon gets the same address back (the cluster store does that across nodes). Host-order integers.
/// </summary>
public interface ISessionLeases
{
    /// <summary>Leases an address for <paramref name="userName"/>; null when the pool is exhausted.</summary>
    ValueTask<uint?> AcquireAsync(string userName, string sessionId, CancellationToken cancellationToken);

    /// <summary>Gives the address back (it may linger for the same user).</summary>
    ValueTask ReleaseAsync(uint address, string userName, string sessionId, CancellationToken cancellationToken);

    /// <summary>Leases a /64 for the session (its first address); null when IPv6 is off or the prefix pool is exhausted.</summary>
    ValueTask<UInt128?> AcquireIpv6PrefixAsync(string userName, string sessionId, CancellationToken cancellationToken) =>
        ValueTask.FromResult<UInt128?>(null);

    /// <summary>Gives the session's /64 back (it lingers for the same user like an IPv4 address).</summary>
    ValueTask ReleaseIpv6PrefixAsync(string sessionId, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
