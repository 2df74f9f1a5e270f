using Gateway.State;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>
/// Leases from the session store (<see cref="IIpLeaseStore"/>): atomic across nodes with Redis, and a user who
/// reconnects within the linger time gets the same address back.
/// </summary>
public sealed class StoreSessionLeases(IIpLeaseStore leases, IOptions<StateOptions> state) : ISessionLeases
{
    private readonly string _nodeId = state.Value.ResolveNodeId();

    public async ValueTask<uint?> AcquireAsync(string userName, string sessionId, CancellationToken cancellationToken)
    {
        LeaseAllocation allocation = await leases.AllocateAsync(userName, sessionId, _nodeId, cancellationToken)
            .ConfigureAwait(false);
        return allocation.Succeeded && allocation.Lease is { } lease ? IpPool.ToUInt32(lease.Address) : null;
    }

    public async ValueTask ReleaseAsync(uint address, string userName, string sessionId, CancellationToken cancellationToken) =>
        await leases.ReleaseAsync(sessionId, cancellationToken).ConfigureAwait(false);
}
