using System.Collections.Concurrent;
using Gateway.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.State;

public sealed class NodeCommandListenerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Handles_pending_and_published_commands_and_retries_failures_at_the_next_poll()
    {
        var time = new FakeTimeProvider(T0);
        var options = new StateOptions { NodeId = "me" };
        var store = new InMemoryStateStore(options, time);
        await store.RegisterNodeAsync("me");
        var handler = new RecordingHandler(failFirstTimeFor: "s3");
        var listener = new NodeCommandListener(store, [handler], Options.Create(options), time, NullLogger<NodeCommandListener>.Instance);

        NodeCommand missed = NodeCommand.Disconnect("me", "s1", "sent before start", T0);
        await store.SendAsync(missed);
        await listener.StartAsync(CancellationToken.None);

        // The first poll runs at start: the missed command is handled and acknowledged.
        await Until(async () => (await store.GetPendingCommandsAsync("me")).Count == 0 && handler.Attempts.Count == 1);

        NodeCommand pushed = NodeCommand.Disconnect("me", "s2", "published", T0);
        await store.SendAsync(pushed);
        await Until(async () => (await store.GetPendingCommandsAsync("me")).Count == 0 && handler.Attempts.Count == 2);

        NodeCommand flaky = NodeCommand.Disconnect("me", "s3", "fails once", T0);
        await store.SendAsync(flaky);
        await Until(() => Task.FromResult(handler.Attempts.Count == 3));
        Assert.Equal([flaky], await store.GetPendingCommandsAsync("me"));

        time.Advance(options.CommandPollInterval);
        await Until(async () => (await store.GetPendingCommandsAsync("me")).Count == 0);
        Assert.Equal(["s1", "s2", "s3", "s3"], handler.Attempts.Select(c => c.SessionId));

        await listener.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Without_handlers_it_does_not_touch_the_store()
    {
        var time = new FakeTimeProvider(T0);
        var options = new StateOptions { NodeId = "me" };
        var store = new InMemoryStateStore(options, time);
        await store.RegisterNodeAsync("me");
        await store.SendAsync(NodeCommand.Disconnect("me", "s1", "x", T0));
        var listener = new NodeCommandListener(store, [], Options.Create(options), time, NullLogger<NodeCommandListener>.Instance);

        await listener.StartAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(10));
        await listener.StopAsync(CancellationToken.None);
        Assert.Single(await store.GetPendingCommandsAsync("me"));
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

    private sealed class RecordingHandler(string failFirstTimeFor) : INodeCommandHandler
    {
        private int _failed;

        public ConcurrentQueue<NodeCommand> Attempts { get; } = new();

        public Task HandleAsync(NodeCommand command, CancellationToken cancellationToken)
        {
            Attempts.Enqueue(command);
            if (command.SessionId == failFirstTimeFor && Interlocked.Exchange(ref _failed, 1) == 0)
            {
                throw new InvalidOperationException("session layer busy");
            }

            return Task.CompletedTask;
        }
    }
}
