namespace Gateway.State;

/// <summary>Which session store backs the gateway (configuration key <c>State:Provider</c>).</summary>
public enum StateProvider
{
    /// <summary>Per-process store: the embedded default for a single node. Lost when the process ends.</summary>
    Memory = 0,

    /// <summary>Shared Redis store: the cluster mode in which gateway nodes are stateless.</summary>
    Redis = 1,
}
