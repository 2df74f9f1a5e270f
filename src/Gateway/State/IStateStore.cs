namespace Gateway.State;

/// <summary>The whole session store: sessions, leases, nodes, commands and health, as one service.</summary>
public interface IStateStore : ISessionStore, IIpLeaseStore, INodeRegistry, INodeCommandBus, IStoreHealth
{
    /// <summary>Which implementation this is.</summary>
    StateProvider Provider { get; }
}
