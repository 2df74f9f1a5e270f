using Admin.Backend;

namespace Admin.Tests.Infrastructure;

/// <summary>
/// In-memory backend with a small fixed cluster. <see cref="StoreDown"/> makes every call answer Unavailable,
/// <see cref="ThrowWhenDown"/> makes it throw <see cref="AdminUnavailableException"/> instead.
/// Calls that change state are recorded for assertions.
/// </summary>
public sealed class FakeAdminBackend : ISessionAdmin, INodeAdmin, IPoolAdmin, IUserAdmin
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private readonly object _lock = new();
    private readonly List<NodeInfo> _nodes =
    [
        new("gw-0", "10.0.3.10", T0, T0.AddMinutes(59), false, null, 2),
        new("gw-1", "10.0.3.11", T0.AddMinutes(5), T0.AddMinutes(59).AddSeconds(30), false, null, 1),
    ];

    private readonly Dictionary<string, (LocalUserInfo Info, string Password)> _users = new(StringComparer.OrdinalIgnoreCase)
    {
        ["alice"] = (new LocalUserInfo("alice", false, false), "alice-password"),
        ["bob"] = (new LocalUserInfo("bob", true, false), "bob-password"),
    };

    public List<SessionInfo> Sessions { get; } =
    [
        new("s-1", "alice", "gw-0", SessionState.Established, "203.0.113.7:51234", "10.8.0.10", "MsChapV2", T0.AddMinutes(10)),
        new("s-2", "bob", "gw-0", SessionState.Established, "198.51.100.2:40000", "10.8.0.11", "Pap", T0.AddMinutes(20)),
        new("s-3", null, "gw-1", SessionState.Authenticating, "192.0.2.1:1024", null, null, T0.AddMinutes(30)),
    ];

    public bool StoreDown { get; set; }

    public bool ThrowWhenDown { get; set; }

    public SessionQuery? LastQuery { get; private set; }

    public List<(string SessionId, string? Reason)> Disconnects { get; } = [];

    public IReadOnlyDictionary<string, (LocalUserInfo Info, string Password)> Users => _users;

    public Task<AdminResult<SessionPage>> ListSessionsAsync(SessionQuery query, CancellationToken cancellationToken)
    {
        if (Down() is { } down)
        {
            return Task.FromResult<AdminResult<SessionPage>>(down);
        }

        LastQuery = query;
        var matching = Sessions
            .Where(s => query.User is null || string.Equals(s.User, query.User, StringComparison.OrdinalIgnoreCase))
            .Where(s => query.NodeId is null || s.NodeId == query.NodeId)
            .Where(s => query.State is null || s.State == query.State)
            .Where(s => query.InnerAddress is null || s.InnerAddress == query.InnerAddress)
            .OrderBy(s => s.StartedAt).ThenBy(s => s.Id, StringComparer.Ordinal)
            .ToList();
        var page = new SessionPage(matching.Skip(query.Offset).Take(query.Limit).ToList(), matching.Count, query.Limit, query.Offset);
        return Task.FromResult(AdminResult<SessionPage>.Ok(page));
    }

    public Task<AdminResult<SessionInfo>> GetSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (Down() is { } down)
        {
            return Task.FromResult<AdminResult<SessionInfo>>(down);
        }

        SessionInfo? session = Sessions.Find(s => s.Id == sessionId);
        return Task.FromResult(session is null
            ? AdminResult.NotFound($"Session '{sessionId}' does not exist.")
            : AdminResult<SessionInfo>.Ok(session));
    }

    public Task<AdminResult> DisconnectSessionAsync(string sessionId, string? reason, CancellationToken cancellationToken)
    {
        if (Down() is { } down)
        {
            return Task.FromResult(down);
        }

        if (Sessions.Find(s => s.Id == sessionId) is null)
        {
            return Task.FromResult(AdminResult.NotFound($"Session '{sessionId}' does not exist."));
        }

        lock (_lock)
        {
            Disconnects.Add((sessionId, reason));
        }

        return Task.FromResult(AdminResult.Ok());
    }

    public Task<AdminResult<IReadOnlyList<NodeInfo>>> ListNodesAsync(CancellationToken cancellationToken)
    {
        if (Down() is { } down)
        {
            return Task.FromResult<AdminResult<IReadOnlyList<NodeInfo>>>(down);
        }

        lock (_lock)
        {
            return Task.FromResult(AdminResult<IReadOnlyList<NodeInfo>>.Ok(_nodes.ToList()));
        }
    }

    public Task<AdminResult<NodeInfo>> DrainNodeAsync(string nodeId, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        UpdateNode(nodeId, n => n with { Draining = true, DrainDeadline = deadline });

    public Task<AdminResult<NodeInfo>> UndrainNodeAsync(string nodeId, CancellationToken cancellationToken) =>
        UpdateNode(nodeId, n => n with { Draining = false, DrainDeadline = null });

    public Task<AdminResult<PoolUsage>> GetPoolUsageAsync(CancellationToken cancellationToken)
    {
        if (Down() is { } down)
        {
            return Task.FromResult<AdminResult<PoolUsage>>(down);
        }

        return Task.FromResult(AdminResult<PoolUsage>.Ok(new PoolUsage("10.8.0.0/22", 1022, 2, 1, 1019)));
    }

    public Task<AdminResult<IReadOnlyList<LocalUserInfo>>> ListUsersAsync(CancellationToken cancellationToken)
    {
        if (Down() is { } down)
        {
            return Task.FromResult<AdminResult<IReadOnlyList<LocalUserInfo>>>(down);
        }

        lock (_lock)
        {
            IReadOnlyList<LocalUserInfo> users = _users.Values.Select(u => u.Info).OrderBy(u => u.Name, StringComparer.OrdinalIgnoreCase).ToList();
            return Task.FromResult(AdminResult<IReadOnlyList<LocalUserInfo>>.Ok(users));
        }
    }

    public Task<AdminResult<LocalUserInfo>> AddUserAsync(string name, string password, bool chapMd5, CancellationToken cancellationToken)
    {
        if (Down() is { } down)
        {
            return Task.FromResult<AdminResult<LocalUserInfo>>(down);
        }

        lock (_lock)
        {
            if (_users.ContainsKey(name))
            {
                return Task.FromResult<AdminResult<LocalUserInfo>>(AdminResult.Conflict($"User '{name}' already exists."));
            }

            var info = new LocalUserInfo(name, chapMd5, false);
            _users[name] = (info, password);
            return Task.FromResult(AdminResult<LocalUserInfo>.Ok(info));
        }
    }

    public Task<AdminResult> RemoveUserAsync(string name, CancellationToken cancellationToken)
    {
        if (Down() is { } down)
        {
            return Task.FromResult(down);
        }

        lock (_lock)
        {
            return Task.FromResult(_users.Remove(name) ? AdminResult.Ok() : AdminResult.NotFound($"User '{name}' does not exist."));
        }
    }

    public Task<AdminResult> SetPasswordAsync(string name, string password, CancellationToken cancellationToken)
    {
        if (Down() is { } down)
        {
            return Task.FromResult(down);
        }

        lock (_lock)
        {
            if (!_users.TryGetValue(name, out var user))
            {
                return Task.FromResult(AdminResult.NotFound($"User '{name}' does not exist."));
            }

            _users[name] = (user.Info, password);
            return Task.FromResult(AdminResult.Ok());
        }
    }

    private Task<AdminResult<NodeInfo>> UpdateNode(string nodeId, Func<NodeInfo, NodeInfo> update)
    {
        if (Down() is { } down)
        {
            return Task.FromResult<AdminResult<NodeInfo>>(down);
        }

        lock (_lock)
        {
            int index = _nodes.FindIndex(n => n.Id == nodeId);
            if (index < 0)
            {
                return Task.FromResult<AdminResult<NodeInfo>>(AdminResult.NotFound($"Node '{nodeId}' does not exist."));
            }

            _nodes[index] = update(_nodes[index]);
            return Task.FromResult(AdminResult<NodeInfo>.Ok(_nodes[index]));
        }
    }

    private AdminResult? Down()
    {
        if (!StoreDown)
        {
            return null;
        }

        if (ThrowWhenDown)
        {
            throw new AdminUnavailableException("Redis at 10.0.9.9:6379 did not answer within 5000 ms.");
        }

        return AdminResult.Unavailable("Redis at 10.0.9.9:6379 did not answer within 5000 ms.");
    }
}
