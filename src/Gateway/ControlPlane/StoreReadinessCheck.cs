using Gateway.Edge;
using Gateway.State;
using Microsoft.Extensions.Hosting;

namespace Gateway.ControlPlane;

/// <summary>
/// /readyz is false while the session store is unreachable: new sessions would fail (no address lease), so the load
/// balancer should send them elsewhere. Polled every 2 s so the readiness answer itself never waits on the store.
/// </summary>
public sealed class StoreReadinessCheck(IStoreHealth health, TimeProvider time) : BackgroundService, IReadinessCheck
{
    private volatile bool _ready;

    public string Name => "session store";

    public bool IsReady => _ready;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2), time);
        do
        {
            StoreHealth h = await health.CheckHealthAsync(stoppingToken).ConfigureAwait(false);
            _ready = h.IsHealthy;
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
