namespace Gateway.State;

/// <summary>An order to one node, delivered at least once (pub/sub, then polling until acknowledged).</summary>
public sealed record NodeCommand(
    string CommandId,
    string NodeId,
    NodeCommandKind Kind,
    string? SessionId,
    string? Reason,
    DateTimeOffset CreatedAt)
{
    /// <summary>A new "disconnect session" command with a fresh id.</summary>
    public static NodeCommand Disconnect(string nodeId, string sessionId, string reason, DateTimeOffset now) =>
        new(Guid.NewGuid().ToString("N"), nodeId, NodeCommandKind.DisconnectSession, sessionId, reason, now);
}
