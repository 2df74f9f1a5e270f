using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Gateway.State;
using StackExchange.Redis;

namespace Gateway.Tests.State;

/// <summary>
/// Redis going away and coming back, on a dedicated redis-server that keeps its data in an fsync-always AOF in its temp
/// dir, so a kill -9 and restart on the same port loses nothing.
/// </summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private RedisServer? _server;
    private ConnectionMultiplexer? _connection;

    private RedisServer Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartAsync(appendOnly: true);
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _server?.Dispose();
    }

    [Fact]
    public async Task Calls_fail_fast_with_StoreUnavailableException_while_down_and_work_again_after_restart()
    {
        var options = new StateOptions
        {
            Provider = StateProvider.Redis,
            KeyPrefix = "outage:",
            Redis = new RedisStateOptions { Configuration = Server.Configuration, OperationTimeout = TimeSpan.FromSeconds(2), ConnectTimeout = TimeSpan.FromSeconds(2) },
        };
        _connection = await Server.ConnectAsync(options.Redis);
        using var metrics = new StateMetrics();
        var store = new RedisStateStore(_connection, options, TimeProvider.System, metrics);

        long failures = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StateMetrics.MeterName && instrument.Name == "gateway.state.store.failures")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "provider" && (string?)tag.Value == "redis")
                {
                    Interlocked.Add(ref failures, value);
                }
            }
        });
        listener.Start();

        await store.RegisterNodeAsync("n1");
        IPAddress address = (await store.AllocateAsync("alice", "s1", "n1")).Lease!.Address;
        var session = new SessionRecord("s1", "alice", "n1", address, null, null, DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_000), SessionState.Active);
        await store.PutSessionAsync(session);
        var pushed = new TaskCompletionSource<NodeCommand>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using IAsyncDisposable subscription = await store.SubscribeCommandsAsync("n1", c =>
        {
            pushed.TrySetResult(c);
            return Task.CompletedTask;
        });

        Server.Kill();

        var sw = Stopwatch.StartNew();
        StoreUnavailableException down = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetSessionAsync("s1"));
        Assert.Equal("session.get", down.Operation);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.AllocateAsync("bob", "s2", "n1"));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.UpdateCountersAsync([new SessionCounterUpdate("s1", new SessionCounters(1, 2, 3, 4))]));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(6), $"failing took {sw.Elapsed}");
        StoreHealth health = await store.CheckHealthAsync();
        Assert.False(health.IsHealthy);
        Assert.NotNull(health.Error);
        Assert.True(Interlocked.Read(ref failures) >= 3);

        await Server.StartAgainAsync();
        var wait = Stopwatch.StartNew();
        while (!(await store.CheckHealthAsync()).IsHealthy)
        {
            Assert.True(wait.Elapsed < TimeSpan.FromSeconds(20), "the multiplexer did not reconnect within 20 s");
            await Task.Delay(100);
        }

        // The data survived (AOF), scripts work again (script cache was empty) and the subscription was restored.
        Assert.Equal(session, await store.GetSessionAsync("s1"));
        Assert.Equal(LeaseState.Active, (await store.GetLeaseAsync(address))!.State);
        LeaseAllocation bob = await store.AllocateAsync("bob", "s2", "n1");
        Assert.Equal(LeaseOutcome.Allocated, bob.Outcome);
        Assert.NotEqual(address, bob.Lease!.Address);

        NodeCommand command = NodeCommand.Disconnect("n1", "s1", "after restart", DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_000));
        Assert.True(await store.SendAsync(command));
        Assert.Equal(command, await pushed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
