namespace Gateway.Tests.State;

/// <summary>One redis-server (no persistence) shared by the Redis test classes; each test uses its own key prefix.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private RedisServer? _server;

    public RedisServer Server => _server ?? throw new InvalidOperationException("The redis-server fixture is not started.");

    public async Task InitializeAsync() => _server = await RedisServer.StartAsync();

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }
}
