using Gateway.Edge;
using Gateway.Sessions;
using Gateway.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.ControlPlane;

/// <summary>
/// Draining this node: readiness goes false and new SSTP calls get 503 at once; the running sessions are disconnected
/// the clean way, spread evenly until the deadline so their clients do not all reconnect elsewhere in the same second.
/// The drain state lives in the store (set through the admin API on any node); this service polls it.
/// </summary>
public sealed partial class DrainService(
    INodeRegistry nodes,
    SessionRegistry registry,
    AdmissionControl admission,
    IOptions<StateOptions> state,
    TimeProvider time,
    ILogger<DrainService> logger) : BackgroundService
{
    private readonly string _nodeId = state.Value.ResolveNodeId();
    private readonly Lock _lock = new();
    private CancellationTokenSource? _draining;
    private DateTimeOffset? _deadline;

    /// <summary>True while this node drains.</summary>
    public bool IsDraining => _deadline is not null;

    /// <summary>Starts (deadline set) or stops (null) draining this node.</summary>
    public void Apply(DateTimeOffset? deadline)
    {
        lock (_lock)
        {
            if (deadline == _deadline)
            {
                return;
            }

            _draining?.Cancel();
            _draining = null;
            _deadline = deadline;
            admission.SetDraining(deadline is not null);
            if (deadline is { } d)
            {
                DrainStarted(logger, registry.Count, d);
                _draining = new CancellationTokenSource();
                _ = DisconnectSpreadAsync(d, _draining.Token);
            }
            else
            {
                DrainStopped(logger);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                State.NodeInfo? me = await nodes.GetNodeAsync(_nodeId, stoppingToken).ConfigureAwait(false);
                if (me is not null)
                {
                    Apply(me.State == NodeState.Draining ? me.DrainDeadline ?? time.GetUtcNow() : null);
                }
            }
            catch (StoreUnavailableException)
            {
                // Keep the last known drain state; readiness reports the store separately.
            }
        }
    }

    private async Task DisconnectSpreadAsync(DateTimeOffset deadline, CancellationToken ct)
    {
        GatewaySession[] sessions = [.. registry.All];
        TimeSpan window = deadline - time.GetUtcNow();
        for (int i = 0; i < sessions.Length && !ct.IsCancellationRequested; i++)
        {
            TimeSpan at = window <= TimeSpan.Zero ? TimeSpan.Zero : window * i / sessions.Length;
            TimeSpan wait = at - (window - (deadline - time.GetUtcNow()));
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            _ = sessions[i].DisconnectAsync("node draining");
        }
    }

    [LoggerMessage(600, LogLevel.Warning, "Draining: new sessions refused, {Count} sessions disconnected until {Deadline}")]
    private static partial void DrainStarted(ILogger logger, int count, DateTimeOffset deadline);

    [LoggerMessage(601, LogLevel.Information, "Drain ended: accepting sessions again")]
    private static partial void DrainStopped(ILogger logger);
}
