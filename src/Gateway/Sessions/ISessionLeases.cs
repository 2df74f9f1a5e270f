namespace Gateway.Sessions;

/// <summary>
/// Inner IPv4 addresses for sessions. The lease binds an address to a user and session so that a user who
/// reconnects soon gets the same address back (the cluster store does that across nodes). Host-order integers.
/// </summary>
public interface ISessionLeases
{
    /// <summary>Leases an address for <paramref name="userName"/>; null when the pool is exhausted.</summary>
    ValueTask<uint?> AcquireAsync(string userName, string sessionId, CancellationToken cancellationToken);

    /// <summary>Gives the address back (it may linger for the same user).</summary>
    ValueTask ReleaseAsync(uint address, string userName, string sessionId, CancellationToken cancellationToken);
}
