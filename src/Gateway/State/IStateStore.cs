namespace Gateway.State;

/// <summary>The whole session store: sessions, leases, nodes, commands and health, as one service.</summary>
public interface IStateStore : ISessionStore, IIpLeaseStore, INodeRegistry, INodeCommandBus, IStoreHealth
{
    /// <summary>Which implementation this is.</summary>
    StateProvider Provider { get; }

    /// <summary>The second lease pool: /64 prefixes for IPv6 (<see cref="StateOptions.Ipv6Prefix"/>); null when off.</summary>
    Ipv6PrefixLeases? Ipv6Prefixes { get; }
}
