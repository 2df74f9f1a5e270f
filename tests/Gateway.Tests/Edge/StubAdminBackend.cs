using Admin.Backend;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Edge;

/// <summary>Admin backends for edge tests that only need the admin API to answer: the pool is fixed, the rest is unused.</summary>
internal sealed class StubAdminBackend : ISessionAdmin, INodeAdmin, IPoolAdmin, IUserAdmin
{
    public static readonly PoolUsage Pool = new("172.30.0.0/16", 65533, 2, 1, 65530);

    public static void Register(IServiceCollection services)
    {
        var backend = new StubAdminBackend();
        services.AddSingleton<ISessionAdmin>(backend);
        services.AddSingleton<INodeAdmin>(backend);
        services.AddSingleton<IPoolAdmin>(backend);
        services.AddSingleton<IUserAdmin>(backend);
    }

    public Task<AdminResult<PoolUsage>> GetPoolUsageAsync(CancellationToken cancellationToken) => Task.FromResult(AdminResult<PoolUsage>.Ok(Pool));

    public Task<AdminResult<SessionPage>> ListSessionsAsync(SessionQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<AdminResult<SessionInfo>> GetSessionAsync(string sessionId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<AdminResult> DisconnectSessionAsync(string sessionId, string? reason, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<AdminResult<IReadOnlyList<NodeInfo>>> ListNodesAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<AdminResult<NodeInfo>> DrainNodeAsync(string nodeId, DateTimeOffset deadline, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<AdminResult<NodeInfo>> UndrainNodeAsync(string nodeId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<AdminResult<IReadOnlyList<LocalUserInfo>>> ListUsersAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<AdminResult<LocalUserInfo>> AddUserAsync(string name, string password, bool chapMd5, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<AdminResult> RemoveUserAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<AdminResult> SetPasswordAsync(string name, string password, CancellationToken cancellationToken) => throw new NotSupportedException();
}
