namespace Gateway.State;

/// <summary>Selects sessions in <see cref="ISessionStore.ListSessionsAsync"/>; null criteria match everything.</summary>
public sealed record SessionFilter(string? UserName = null, string? NodeId = null, SessionState? State = null)
{
    /// <summary>Matches every session.</summary>
    public static SessionFilter All { get; } = new();

    /// <summary>True when <paramref name="session"/> satisfies every criterion.</summary>
    public bool Matches(SessionRecord session) =>
        (UserName is null || string.Equals(session.UserName, UserName, StringComparison.Ordinal))
        && (NodeId is null || string.Equals(session.NodeId, NodeId, StringComparison.Ordinal))
        && (State is null || session.State == State.Value);
}
