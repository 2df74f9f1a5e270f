using Gateway.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.State;

public sealed class NodeHeartbeatServiceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Registers_heartbeats_sweeps_after_a_full_ttl_and_unregisters_on_stop()
    {
        var time = new FakeTimeProvider(T0);
        var options = new StateOptions { NodeId = "me", NodeEndpoint = "10.0.0.1:443" };
        var store = new InMemoryStateStore(options, time);
        await store.RegisterNodeAsync("dead");
        var service = new NodeHeartbeatService(store, Options.Create(options), time, NullLogger<NodeHeartbeatService>.Instance);

        await service.StartAsync(CancellationToken.None);
        await Until(async () => await store.GetNodeAsync("me") is { Endpoint: "10.0.0.1:443" });

        // Heartbeats every 5 s; "dead" expires at 15 s; the sweep starts once the store answered for a whole TTL (15 s).
        for (int i = 1; i <= 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            int beat = i;
            await Until(async () => (await store.GetNodeAsync("me"))!.LastHeartbeatAt == T0.AddSeconds(5 * beat));
        }

        await Until(async () => await store.GetNodeAsync("dead") is null);
        Assert.Equal(T0.AddSeconds(30), (await store.GetNodeAsync("me"))!.ExpiresAt);

        // Swept by someone else while alive (e.g. a long pause): it registers again and tells the session layer.
        var reregistered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        service.Reregistered += _ =>
        {
            reregistered.TrySetResult();
            return Task.CompletedTask;
        };
        Assert.True(await store.UnregisterNodeAsync("me"));
        time.Advance(TimeSpan.FromSeconds(5));
        await reregistered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(await store.GetNodeAsync("me"));

        await service.StopAsync(CancellationToken.None);
        Assert.Null(await store.GetNodeAsync("me"));
    }

    private static async Task Until(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 10 s");
            await Task.Delay(10);
        }
    }
}
