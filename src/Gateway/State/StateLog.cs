using Microsoft.Extensions.Logging;

namespace Gateway.State;

/// <summary>Source-generated log messages of the State layer (event ids 4000-4099).</summary>
internal static partial class StateLog
{
    [LoggerMessage(4000, LogLevel.Information, "Node {NodeId} registered in the {Provider} session store")]
    public static partial void NodeRegistered(ILogger logger, string nodeId, StateProvider provider);

    [LoggerMessage(4001, LogLevel.Warning, "Node {NodeId} was no longer registered (swept after a missed heartbeat); registering again")]
    public static partial void NodeReregistering(ILogger logger, string nodeId);

    [LoggerMessage(4002, LogLevel.Warning, "Session store unavailable during {Operation}: {Message}")]
    public static partial void StoreUnavailable(ILogger logger, string? operation, string message);

    [LoggerMessage(4003, LogLevel.Information, "Swept {Count} dead node(s) ({Nodes}): {Leases} lease(s) released, {Sessions} session(s) removed")]
    public static partial void NodesSwept(ILogger logger, int count, string nodes, int leases, int sessions);

    [LoggerMessage(4004, LogLevel.Information, "Node {NodeId} unregistered from the session store")]
    public static partial void NodeUnregistered(ILogger logger, string nodeId);

    [LoggerMessage(4005, LogLevel.Error, "Node heartbeat failed")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(4006, LogLevel.Error, "Handling node command {Kind} {CommandId} failed; it stays pending")]
    public static partial void CommandFailed(ILogger logger, NodeCommandKind kind, string commandId, Exception exception);
}
