using Gateway.State;
using StackExchange.Redis;

namespace Gateway.Tests.State;

/// <summary>The store contract on <see cref="RedisStateStore"/> against a real redis-server; every store opened is a separate multiplexer.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisStateStoreTests(RedisServerFixture redis) : StateStoreContractTests
{
    private readonly List<ConnectionMultiplexer> _connections = [];

    protected override async Task<IStateStore> OpenAsync(StateOptions options)
    {
        options.Provider = StateProvider.Redis;
        ConnectionMultiplexer connection = await redis.Server.ConnectAsync(options.Redis);
        _connections.Add(connection);
        return new RedisStateStore(connection, options, Time);
    }

    public override async Task DisposeAsync()
    {
        foreach (ConnectionMultiplexer c in _connections)
        {
            await c.DisposeAsync();
        }
    }
}
