using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.State;

/// <summary>
/// Keeps this node registered: registers at start, heartbeats every <see cref="StateOptions.HeartbeatInterval"/>, runs
/// the dead-node sweep, and unregisters on graceful shutdown. The sweep only runs after the store has answered this node
/// continuously for a whole <see cref="StateOptions.NodeTtl"/>, so after a store outage live nodes get the chance to
/// heartbeat before anyone declares them dead.
/// </summary>
public sealed class NodeHeartbeatService : BackgroundService
{
    private readonly INodeRegistry _registry;
    private readonly StateOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<NodeHeartbeatService> _logger;
    private readonly string _nodeId;
    private bool _registered;

    public NodeHeartbeatService(INodeRegistry registry, IOptions<StateOptions> options, TimeProvider timeProvider, ILogger<NodeHeartbeatService> logger)
    {
        _registry = registry;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _nodeId = _options.ResolveNodeId();
    }

    /// <summary>This node's id in the store.</summary>
    public string NodeId => _nodeId;

    /// <summary>Raised (awaited) after the node had to register again because it had been swept; the session layer should
    /// then store its live sessions and leases again.</summary>
    public event Func<CancellationToken, Task>? Reregistered;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long? reachableSince = null;
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        do
        {
            try
            {
                await BeatAsync(stoppingToken).ConfigureAwait(false);
                long now = _time.GetTimestamp();
                reachableSince ??= now;
                if (_time.GetElapsedTime(reachableSince.Value, now) >= _options.NodeTtl)
                {
                    SweepResult sweep = await _registry.SweepExpiredNodesAsync(stoppingToken).ConfigureAwait(false);
                    if (sweep.RemovedNodes.Count > 0)
                    {
                        StateLog.NodesSwept(_logger, sweep.RemovedNodes.Count, string.Join(',', sweep.RemovedNodes), sweep.LeasesReleased, sweep.SessionsRemoved);
                    }
                }
            }
            catch (StoreUnavailableException ex)
            {
                reachableSince = null;
                StateLog.StoreUnavailable(_logger, ex.Operation, ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                reachableSince = null;
                StateLog.HeartbeatFailed(_logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (!_registered)
        {
            return;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await _registry.UnregisterNodeAsync(_nodeId, timeout.Token).ConfigureAwait(false);
            StateLog.NodeUnregistered(_logger, _nodeId);
        }
        catch (StoreUnavailableException ex)
        {
            // The sweep of another node cleans up after the TTL.
            StateLog.StoreUnavailable(_logger, ex.Operation, ex.Message);
        }
        catch (OperationCanceledException)
        {
            // Shutdown deadline reached; the sweep of another node cleans up after the TTL.
        }
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        if (_registered && await _registry.HeartbeatAsync(_nodeId, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        bool again = _registered;
        if (again)
        {
            StateLog.NodeReregistering(_logger, _nodeId);
        }

        await _registry.RegisterNodeAsync(_nodeId, _options.NodeEndpoint, cancellationToken).ConfigureAwait(false);
        _registered = true;
        StateLog.NodeRegistered(_logger, _nodeId, _options.Provider);
        if (again && Reregistered is { } handler)
        {
            await handler(cancellationToken).ConfigureAwait(false);
        }
    }
}
