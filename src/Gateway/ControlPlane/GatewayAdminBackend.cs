using System.Net;
using Admin.Backend;
using Gateway.Credentials;
using Gateway.Sessions;
using Gateway.State;
using Microsoft.Extensions.Options;
using AdminNode = Admin.Backend.NodeInfo;
using AdminPool = Admin.Backend.PoolUsage;
using AdminSessionState = Admin.Backend.SessionState;

namespace Gateway.ControlPlane;

/// <summary>
/// The admin API's view of the cluster: sessions, nodes and leases from the shared store, disconnects delivered to the
/// owning node (directly on this node, through the store's command bus elsewhere), users in the local users file.
/// </summary>
public sealed class GatewayAdminBackend(
    IStateStore store,
    SessionRegistry registry,
    LocalCredentialStore users,
    DrainService drain,
    IOptions<StateOptions> state,
    TimeProvider time) : ISessionAdmin, INodeAdmin, IPoolAdmin, IUserAdmin
{
    private readonly string _nodeId = state.Value.ResolveNodeId();
    private readonly string _poolSpec = state.Value.Pool.Range;

    public async Task<AdminResult<SessionPage>> ListSessionsAsync(SessionQuery query, CancellationToken cancellationToken)
    {
        try
        {
            IReadOnlyList<SessionRecord> all = await store.ListSessionsAsync(
                new SessionFilter(query.User, query.NodeId, null), cancellationToken).ConfigureAwait(false);
            var matching = new List<SessionInfo>();
            foreach (SessionRecord r in all)
            {
                SessionInfo info = ToInfo(r);
                if ((query.State is null || info.State == query.State)
                    && (query.InnerAddress is null || info.InnerAddress == query.InnerAddress))
                {
                    matching.Add(info);
                }
            }

            return AdminResult<SessionPage>.Ok(new SessionPage(
                [.. matching.Skip(query.Offset).Take(query.Limit)], matching.Count, query.Limit, query.Offset));
        }
        catch (StoreUnavailableException ex)
        {
            return AdminResult<SessionPage>.Unavailable(ex.Message);
        }
    }

    public async Task<AdminResult<SessionInfo>> GetSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            SessionRecord? r = await store.GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
            return r is null ? AdminResult<SessionInfo>.NotFound($"no session '{sessionId}'") : AdminResult<SessionInfo>.Ok(ToInfo(r));
        }
        catch (StoreUnavailableException ex)
        {
            return AdminResult<SessionInfo>.Unavailable(ex.Message);
        }
    }

    public async Task<AdminResult> DisconnectSessionAsync(string sessionId, string? reason, CancellationToken cancellationToken)
    {
        reason ??= "disconnected by administrator";
        if (registry.Find(sessionId) is { } local)
        {
            _ = local.DisconnectAsync(reason);
            return AdminResult.Ok();
        }

        try
        {
            SessionRecord? r = await store.GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
            if (r is null)
            {
                return AdminResult.NotFound($"no session '{sessionId}'");
            }

            bool sent = await store.SendAsync(NodeCommand.Disconnect(r.NodeId, sessionId, reason, time.GetUtcNow()),
                cancellationToken).ConfigureAwait(false);
            return sent ? AdminResult.Ok() : AdminResult.NotFound($"node '{r.NodeId}' of session '{sessionId}' is gone");
        }
        catch (StoreUnavailableException ex)
        {
            return AdminResult.Unavailable(ex.Message);
        }
    }

    public async Task<AdminResult<IReadOnlyList<AdminNode>>> ListNodesAsync(CancellationToken cancellationToken)
    {
        try
        {
            IReadOnlyList<State.NodeInfo> nodes = await store.ListNodesAsync(cancellationToken).ConfigureAwait(false);
            IReadOnlyList<SessionRecord> sessions = await store.ListSessionsAsync(SessionFilter.All, cancellationToken)
                .ConfigureAwait(false);
            var list = new List<AdminNode>(nodes.Count);
            foreach (State.NodeInfo n in nodes)
            {
                list.Add(ToAdmin(n, sessions.Count(s => s.NodeId == n.NodeId)));
            }

            return AdminResult<IReadOnlyList<AdminNode>>.Ok(list);
        }
        catch (StoreUnavailableException ex)
        {
            return AdminResult<IReadOnlyList<AdminNode>>.Unavailable(ex.Message);
        }
    }

    public Task<AdminResult<AdminNode>> DrainNodeAsync(string nodeId, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        SetDrainAsync(nodeId, deadline, cancellationToken);

    public Task<AdminResult<AdminNode>> UndrainNodeAsync(string nodeId, CancellationToken cancellationToken) =>
        SetDrainAsync(nodeId, null, cancellationToken);

    public async Task<AdminResult<AdminPool>> GetPoolUsageAsync(CancellationToken cancellationToken)
    {
        try
        {
            State.PoolUsage u = await store.GetPoolUsageAsync(cancellationToken).ConfigureAwait(false);
            return AdminResult<AdminPool>.Ok(new AdminPool(_poolSpec, u.Size, u.Used, u.Lingering, u.Free));
        }
        catch (StoreUnavailableException ex)
        {
            return AdminResult<AdminPool>.Unavailable(ex.Message);
        }
    }

    public Task<AdminResult<IReadOnlyList<LocalUserInfo>>> ListUsersAsync(CancellationToken cancellationToken) =>
        Task.FromResult(AdminResult<IReadOnlyList<LocalUserInfo>>.Ok(
            [.. users.Snapshot().Select(u => new LocalUserInfo(u.UserName, u.Password is not null, u.Disabled))]));

    public Task<AdminResult<LocalUserInfo>> AddUserAsync(string name, string password, bool chapMd5, CancellationToken cancellationToken) =>
        Task.FromResult(users.Add(name, password, chapMd5)
            ? AdminResult<LocalUserInfo>.Ok(new LocalUserInfo(name, chapMd5, false))
            : AdminResult<LocalUserInfo>.Conflict($"user '{name}' exists"));

    public Task<AdminResult> RemoveUserAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(users.Remove(name) ? AdminResult.Ok() : AdminResult.NotFound($"no user '{name}'"));

    public Task<AdminResult> SetPasswordAsync(string name, string password, CancellationToken cancellationToken) =>
        Task.FromResult(users.SetPassword(name, password, users.Find(name)?.Password is not null)
            ? AdminResult.Ok()
            : AdminResult.NotFound($"no user '{name}'"));

    private async Task<AdminResult<AdminNode>> SetDrainAsync(string nodeId, DateTimeOffset? deadline, CancellationToken ct)
    {
        try
        {
            if (!await store.SetDrainAsync(nodeId, deadline, ct).ConfigureAwait(false))
            {
                return AdminResult<AdminNode>.NotFound($"no node '{nodeId}'");
            }

            if (nodeId == _nodeId)
            {
                // This node acts at once; others notice on their next drain poll.
                drain.Apply(deadline);
            }

            State.NodeInfo? n = await store.GetNodeAsync(nodeId, ct).ConfigureAwait(false);
            if (n is null)
            {
                return AdminResult<AdminNode>.NotFound($"no node '{nodeId}'");
            }

            IReadOnlyList<SessionRecord> sessions = await store.ListSessionsAsync(new SessionFilter(null, nodeId, null), ct)
                .ConfigureAwait(false);
            return AdminResult<AdminNode>.Ok(ToAdmin(n, sessions.Count));
        }
        catch (StoreUnavailableException ex)
        {
            return AdminResult<AdminNode>.Unavailable(ex.Message);
        }
    }

    private static AdminNode ToAdmin(State.NodeInfo n, int sessions) => new(n.NodeId, n.Endpoint ?? "", n.RegisteredAt,
        n.LastHeartbeatAt, n.State == NodeState.Draining, n.DrainDeadline, sessions);

    private static SessionInfo ToInfo(SessionRecord r) => new(r.SessionId, r.UserName, r.NodeId,
        r.State switch
        {
            State.SessionState.Connecting => AdminSessionState.Negotiating,
            State.SessionState.Active => AdminSessionState.Established,
            _ => AdminSessionState.Disconnecting,
        },
        r.OuterEndPoint?.ToString() ?? "", r.InnerIPv4?.ToString(), null, r.StartedAt,
        r.InnerIPv6 is { } prefix ? prefix + "/64" : null);
}
