namespace Gateway.State;

/// <summary>A registered node. It is alive while <see cref="ExpiresAt"/> is in the future; afterwards any node's sweep removes it.</summary>
public sealed record NodeInfo(
    string NodeId,
    string? Endpoint,
    NodeState State,
    DateTimeOffset RegisteredAt,
    DateTimeOffset LastHeartbeatAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? DrainDeadline);
