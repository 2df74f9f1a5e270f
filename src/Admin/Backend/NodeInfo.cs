namespace Admin.Backend;

/// <summary>A gateway node registered in the shared store.</summary>
/// <param name="Id">Node id (e.g. the pod name).</param>
/// <param name="Address">Address other nodes and operators reach it on ("10.0.3.12").</param>
/// <param name="StartedAt">When the node process started.</param>
/// <param name="LastHeartbeat">Last heartbeat written by the node.</param>
/// <param name="Draining">True while the node refuses new sessions.</param>
/// <param name="DrainDeadline">When remaining sessions are disconnected; null when not draining.</param>
/// <param name="SessionCount">Sessions currently owned by the node.</param>
public sealed record NodeInfo(
    string Id,
    string Address,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeat,
    bool Draining,
    DateTimeOffset? DrainDeadline,
    int SessionCount);
