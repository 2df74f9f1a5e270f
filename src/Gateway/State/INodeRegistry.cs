namespace Gateway.State;

/// <summary>
/// Cluster membership. A node registers, heartbeats every <see cref="StateOptions.HeartbeatInterval"/>, and is swept
/// once its heartbeat is older than <see cref="StateOptions.NodeTtl"/>: its leases then linger for their users (so the
/// users get the same address back on another node) and its sessions and pending commands are removed.
/// Every call may throw <see cref="StoreUnavailableException"/>.
/// </summary>
public interface INodeRegistry
{
    /// <summary>
    /// Registers (or re-registers after a restart) a node as active. Anything left by an earlier incarnation of the same
    /// node id (sessions, leases, commands) is cleaned up first, since a starting process holds no session.
    /// </summary>
    Task<NodeInfo> RegisterNodeAsync(string nodeId, string? endpoint = null, CancellationToken cancellationToken = default);

    /// <summary>Extends the node's life by the TTL. False if the node is not registered (swept): register again.</summary>
    Task<bool> HeartbeatAsync(string nodeId, CancellationToken cancellationToken = default);

    /// <summary>Starts draining with a deadline, or (null) returns to active. False if the node is not registered.</summary>
    Task<bool> SetDrainAsync(string nodeId, DateTimeOffset? drainDeadline, CancellationToken cancellationToken = default);

    /// <summary>Graceful leave: cleans the node up like a sweep would. False if it was not registered.</summary>
    Task<bool> UnregisterNodeAsync(string nodeId, CancellationToken cancellationToken = default);

    /// <summary>The node, or null.</summary>
    Task<NodeInfo?> GetNodeAsync(string nodeId, CancellationToken cancellationToken = default);

    /// <summary>Registered nodes (including expired ones not yet swept), ordered by id.</summary>
    Task<IReadOnlyList<NodeInfo>> ListNodesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes every node whose heartbeat expired, releasing its leases and removing its sessions and commands. Safe to
    /// run concurrently on several nodes: each dead node is cleaned exactly once.
    /// </summary>
    Task<SweepResult> SweepExpiredNodesAsync(CancellationToken cancellationToken = default);
}
