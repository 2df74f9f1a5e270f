namespace Gateway.State;

/// <summary>
/// Commands to nodes. A command is stored durably in the node's pending list and published; the node handles it when
/// the message arrives or, if it missed it, at its next poll, and then acknowledges it. Delivery is at least once, so
/// handlers must be idempotent. Every call may throw <see cref="StoreUnavailableException"/>.
/// </summary>
public interface INodeCommandBus
{
    /// <summary>Stores and publishes a command. False (nothing stored) if the target node is not registered.</summary>
    Task<bool> SendAsync(NodeCommand command, CancellationToken cancellationToken = default);

    /// <summary>Commands not yet acknowledged by the node, oldest first.</summary>
    Task<IReadOnlyList<NodeCommand>> GetPendingCommandsAsync(string nodeId, CancellationToken cancellationToken = default);

    /// <summary>Removes a handled command; false if it was not pending.</summary>
    Task<bool> AcknowledgeCommandAsync(string nodeId, string commandId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Receives the node's commands as they are published, one at a time, until the returned handle is disposed. The
    /// handler does not acknowledge implicitly.
    /// </summary>
    Task<IAsyncDisposable> SubscribeCommandsAsync(string nodeId, Func<NodeCommand, Task> handler, CancellationToken cancellationToken = default);
}
