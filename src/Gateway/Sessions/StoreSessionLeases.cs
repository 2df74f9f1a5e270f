using Gateway.State;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>
/// Leases from the session store (<see cref="IIpLeaseStore"/>): atomic across nodes with Redis, and a user who
/// reconnects within the linger time gets the same address back.
/// </summary>
/// <remarks>The /64 prefixes come from <paramref name="prefixes"/>, the store's second pool (null: IPv6 off).</remarks>
public sealed class StoreSessionLeases(IIpLeaseStore leases, IOptions<StateOptions> state, Ipv6PrefixLeases? prefixes = null) : ISessionLeases
{
    private readonly string _nodeId = state.Value.ResolveNodeId();

    /// <summary>Leases from the store's IPv4 pool and, when configured, its prefix pool.</summary>
    public StoreSessionLeases(IStateStore store, IOptions<StateOptions> state)
        : this((IIpLeaseStore)store, state, store.Ipv6Prefixes)
    {
    }

    public async ValueTask<uint?> AcquireAsync(string userName, string sessionId, CancellationToken cancellationToken)
    {
        LeaseAllocation allocation = await leases.AllocateAsync(userName, sessionId, _nodeId, cancellationToken)
            .ConfigureAwait(false);
        return allocation.Succeeded && allocation.Lease is { } lease ? IpPool.ToUInt32(lease.Address) : null;
    }

    public async ValueTask ReleaseAsync(uint address, string userName, string sessionId, CancellationToken cancellationToken) =>
        await leases.ReleaseAsync(sessionId, cancellationToken).ConfigureAwait(false);

    public async ValueTask<UInt128?> AcquireIpv6PrefixAsync(string userName, string sessionId, CancellationToken cancellationToken)
    {
        if (prefixes is null)
        {
            return null;
        }

        LeaseAllocation allocation = await prefixes.AllocateAsync(userName, sessionId, _nodeId, cancellationToken)
            .ConfigureAwait(false);
        return allocation.Lease is { } lease ? prefixes.PrefixOf(lease) : null;
    }

    public async ValueTask ReleaseIpv6PrefixAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (prefixes is not null)
        {
            await prefixes.ReleaseAsync(sessionId, cancellationToken).ConfigureAwait(false);
        }
    }
}
