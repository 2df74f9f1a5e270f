namespace Admin.Backend;

/// <summary>Node operations (implemented by the gateway over the shared store's node registry and command channel).</summary>
public interface INodeAdmin
{
    Task<AdminResult<IReadOnlyList<NodeInfo>>> ListNodesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stops the node accepting new sessions; sessions still on it at <paramref name="deadline"/> are disconnected.
    /// Draining an already draining node replaces its deadline. Returns the node as updated.
    /// </summary>
    Task<AdminResult<NodeInfo>> DrainNodeAsync(string nodeId, DateTimeOffset deadline, CancellationToken cancellationToken);

    /// <summary>Accepts new sessions again (no-op when not draining). Returns the node as updated.</summary>
    Task<AdminResult<NodeInfo>> UndrainNodeAsync(string nodeId, CancellationToken cancellationToken);
}
