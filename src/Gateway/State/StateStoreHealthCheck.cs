using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.State;

/// <summary>Readiness check (tag "ready"): healthy when the session store answers.</summary>
public sealed class StateStoreHealthCheck(IStoreHealth store) : IHealthCheck
{
    public const string Name = "state";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        StoreHealth health = await store.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object>
        {
            ["provider"] = health.Provider.ToString(),
            ["latencyMs"] = health.Latency.TotalMilliseconds,
        };
        return health.IsHealthy
            ? HealthCheckResult.Healthy("Session store reachable.", data)
            : HealthCheckResult.Unhealthy($"Session store unreachable: {health.Error}", data: data);
    }
}
