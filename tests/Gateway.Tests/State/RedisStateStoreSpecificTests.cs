using Gateway.State;
using StackExchange.Redis;

namespace Gateway.Tests.State;

/// <summary>Redis-only behaviour: key namespacing and pool agreement between nodes.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisStateStoreSpecificTests(RedisServerFixture redis) : IAsyncLifetime
{
    private readonly List<ConnectionMultiplexer> _connections = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (ConnectionMultiplexer c in _connections)
        {
            await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task Nodes_with_a_different_pool_are_refused_while_leases_are_active()
    {
        string prefix = "mismatch-" + Guid.NewGuid().ToString("N") + ":";
        RedisStateStore first = await OpenAsync(prefix, "10.8.0.0/24");
        RedisStateStore other = await OpenAsync(prefix, "10.9.0.0/24");
        await first.AllocateAsync("alice", "s1", "n1");

        InvalidOperationException ex = await Assert.ThrowsAsync<InvalidOperationException>(() => other.AllocateAsync("bob", "s2", "n2"));
        Assert.Contains("State:Pool", ex.Message, StringComparison.Ordinal);

        // Once no lease is active, a new pool definition takes over.
        await first.ReleaseAsync("s1");
        LeaseAllocation b = await other.AllocateAsync("bob", "s2", "n2");
        Assert.Equal("10.9.0.2", b.Lease!.Address.ToString());
    }

    [Fact]
    public async Task Key_prefixes_isolate_stores_on_one_server()
    {
        RedisStateStore a = await OpenAsync("iso-a-" + Guid.NewGuid().ToString("N") + ":", "10.8.0.0/29");
        RedisStateStore b = await OpenAsync("iso-b-" + Guid.NewGuid().ToString("N") + ":", "10.8.0.0/29");
        await a.PutSessionAsync(new SessionRecord("s1", "alice", "n1", null, null, null, DateTimeOffset.UnixEpoch, SessionState.Active));
        LeaseAllocation la = await a.AllocateAsync("alice", "s1", "n1");
        LeaseAllocation lb = await b.AllocateAsync("bob", "s1", "n1");

        Assert.Equal(la.Lease!.Address, lb.Lease!.Address);
        Assert.Null(await b.GetSessionAsync("s1"));
        Assert.NotNull(await a.GetSessionAsync("s1"));
    }

    private async Task<RedisStateStore> OpenAsync(string prefix, string range)
    {
        var options = new StateOptions
        {
            Provider = StateProvider.Redis,
            KeyPrefix = prefix,
            Pool = new IpPoolOptions { Range = range },
        };
        ConnectionMultiplexer connection = await redis.Server.ConnectAsync(options.Redis);
        _connections.Add(connection);
        return new RedisStateStore(connection, options);
    }
}
