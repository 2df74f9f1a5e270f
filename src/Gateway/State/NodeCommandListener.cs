using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.State;

/// <summary>
/// Delivers this node's commands to the registered <see cref="INodeCommandHandler"/>s: as they are published, and by
/// polling the durable pending list every <see cref="StateOptions.CommandPollInterval"/> (which catches anything
/// published while the node was not subscribed or the store was unreachable). A handled command is acknowledged.
/// Does nothing when no handler is registered.
/// </summary>
public sealed class NodeCommandListener : BackgroundService
{
    private const int RecentlyHandledCapacity = 1024;

    private readonly INodeCommandBus _bus;
    private readonly INodeCommandHandler[] _handlers;
    private readonly StateOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<NodeCommandListener> _logger;
    private readonly string _nodeId;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly HashSet<string> _recent = new(StringComparer.Ordinal);
    private readonly Queue<string> _recentOrder = new();

    public NodeCommandListener(
        INodeCommandBus bus, IEnumerable<INodeCommandHandler> handlers, IOptions<StateOptions> options, TimeProvider timeProvider,
        ILogger<NodeCommandListener> logger)
    {
        _bus = bus;
        _handlers = [.. handlers];
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _nodeId = _options.ResolveNodeId();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_handlers.Length == 0)
        {
            return;
        }

        IAsyncDisposable? subscription = null;
        try
        {
            using var timer = new PeriodicTimer(_options.CommandPollInterval, _time);
            do
            {
                try
                {
                    subscription ??= await _bus.SubscribeCommandsAsync(_nodeId, c => DispatchAsync(c, stoppingToken), stoppingToken).ConfigureAwait(false);
                    foreach (NodeCommand command in await _bus.GetPendingCommandsAsync(_nodeId, stoppingToken).ConfigureAwait(false))
                    {
                        await DispatchAsync(command, stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (StoreUnavailableException ex)
                {
                    StateLog.StoreUnavailable(_logger, ex.Operation, ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            if (subscription is not null)
            {
                await subscription.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task DispatchAsync(NodeCommand command, CancellationToken cancellationToken)
    {
        bool alreadyHandled;
        lock (_gate)
        {
            if (!_inFlight.Add(command.CommandId))
            {
                return;
            }

            alreadyHandled = _recent.Contains(command.CommandId);
        }

        try
        {
            // A command handled earlier whose acknowledgement failed (or a duplicate delivery) is only acknowledged.
            if (!alreadyHandled)
            {
                foreach (INodeCommandHandler handler in _handlers)
                {
                    await handler.HandleAsync(command, cancellationToken).ConfigureAwait(false);
                }

                Remember(command.CommandId);
            }

            await _bus.AcknowledgeCommandAsync(_nodeId, command.CommandId, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            StateLog.StoreUnavailable(_logger, ex.Operation, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            StateLog.CommandFailed(_logger, command.Kind, command.CommandId, ex);
        }
        finally
        {
            lock (_gate)
            {
                _inFlight.Remove(command.CommandId);
            }
        }
    }

    private void Remember(string commandId)
    {
        lock (_gate)
        {
            if (_recent.Add(commandId))
            {
                _recentOrder.Enqueue(commandId);
                while (_recentOrder.Count > RecentlyHandledCapacity)
                {
                    _recent.Remove(_recentOrder.Dequeue());
                }
            }
        }
    }
}
