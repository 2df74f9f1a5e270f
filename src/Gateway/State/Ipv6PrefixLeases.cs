using System.Net;
using System.Net.Sockets;

namespace Gateway.State;

/// <summary>
/// The /64 prefix leases: the store's second lease pool (same allocation, linger and node clean-up as the IPv4
/// leases, under a key space of its own), seen with prefixes instead of prefix numbers. <see cref="IpLease.Address"/>
/// is the prefix's first address; <see cref="GetLeaseAsync"/> takes any address inside a leased /64.
/// </summary>
public sealed class Ipv6PrefixLeases(Ipv6PrefixPool prefixes, IIpLeaseStore numbers) : IIpLeaseStore
{
    /// <summary>The configured prefix pool.</summary>
    public Ipv6PrefixPool Prefixes { get; } = prefixes;

    /// <summary>The prefix numbers (0..Size-1) as an IPv4-shaped pool.</summary>
    public IpPool Pool => numbers.Pool;

    public async Task<LeaseAllocation> AllocateAsync(string userName, string sessionId, string nodeId, CancellationToken cancellationToken = default)
    {
        LeaseAllocation a = await numbers.AllocateAsync(userName, sessionId, nodeId, cancellationToken).ConfigureAwait(false);
        return a.Lease is { } lease ? a with { Lease = ToPrefix(lease) } : a;
    }

    public Task<bool> ReleaseAsync(string sessionId, CancellationToken cancellationToken = default) =>
        numbers.ReleaseAsync(sessionId, cancellationToken);

    public async Task<IpLease?> GetLeaseAsync(IPAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6
            || !Prefixes.TryGetIndex(Tunnel.IpPacket.ToUInt128(address), out uint index))
        {
            return null;
        }

        IpLease? lease = await numbers.GetLeaseAsync(IpPool.ToAddress(index), cancellationToken).ConfigureAwait(false);
        return lease is null ? null : ToPrefix(lease);
    }

    public async Task<IReadOnlyList<IpLease>> ListLeasesAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<IpLease> leases = await numbers.ListLeasesAsync(cancellationToken).ConfigureAwait(false);
        var result = new IpLease[leases.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = ToPrefix(leases[i]);
        }

        return result;
    }

    public Task<PoolUsage> GetPoolUsageAsync(CancellationToken cancellationToken = default) =>
        numbers.GetPoolUsageAsync(cancellationToken);

    /// <summary>The /64 a lease of this store stands for.</summary>
    public UInt128 PrefixOf(IpLease lease) => Tunnel.IpPacket.ToUInt128(lease.Address);

    private IpLease ToPrefix(IpLease lease) =>
        lease with { Address = Ipv6PrefixPool.ToAddress(Prefixes.PrefixAt(IpPool.ToUInt32(lease.Address))) };
}
