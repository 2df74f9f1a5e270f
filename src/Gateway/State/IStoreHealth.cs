namespace Gateway.State;

/// <summary>Store reachability for readiness probes.</summary>
public interface IStoreHealth
{
    /// <summary>Round-trips to the store; never throws for an unreachable store (reports it instead).</summary>
    Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken = default);
}
