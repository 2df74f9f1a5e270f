using System.Collections.Concurrent;
using System.Net;
using Gateway.State;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.State;

/// <summary>
/// The behaviour every <see cref="IStateStore"/> must have, run against each implementation. Time is a
/// <see cref="FakeTimeProvider"/>, so linger and heartbeat expiry are exact and instant.
/// </summary>
public abstract partial class StateStoreContractTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12] + ":";

    protected FakeTimeProvider Time { get; } = new(T0);

    /// <summary>
    /// Opens the store as one more node. All stores opened with the same key prefix share their state (Redis: a separate
    /// multiplexer on the same server, like another gateway process).
    /// </summary>
    protected abstract Task<IStateStore> OpenAsync(StateOptions options);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Default test options: pool 10.8.0.0/29 = .2-.6 (network .0, gateway .1, broadcast .7 excluded).</summary>
    protected StateOptions Options(string range = "10.8.0.0/29", TimeSpan? linger = null, bool reclaim = true) => new()
    {
        KeyPrefix = _prefix,
        Pool = new IpPoolOptions { Range = range, LeaseLinger = linger ?? TimeSpan.FromMinutes(5), ReclaimLingeringWhenExhausted = reclaim },
        HeartbeatInterval = TimeSpan.FromSeconds(5),
        NodeTtl = TimeSpan.FromSeconds(15),
    };

    private static SessionRecord Session(string id, string user, string node, SessionState state = SessionState.Active, int minute = 0) => new(
        id, user, node, IPAddress.Parse("10.8.0.2"), IPAddress.Parse("fe80::1234:5678:9abc:def0"),
        new IPEndPoint(IPAddress.Parse("203.0.113.7"), 51234), T0.AddMinutes(minute), state);

    // ---- sessions ----

    [Fact]
    public async Task Session_round_trips_every_field()
    {
        IStateStore store = await OpenAsync(Options());
        var s = new SessionRecord(
            "s1", "alice", "node-a", IPAddress.Parse("10.8.0.3"), IPAddress.Parse("2001:db8::42"),
            new IPEndPoint(IPAddress.Parse("2001:db8:1::9"), 443), T0.AddMilliseconds(1234), SessionState.Disconnecting,
            new SessionCounters(1_000_000_000_000, 2, 3, 4), T0.AddSeconds(9), "admin request");
        await store.PutSessionAsync(s);

        Assert.Equal(s, await store.GetSessionAsync("s1"));
        Assert.Null(await store.GetSessionAsync("nope"));
    }

    [Fact]
    public async Task Session_without_optional_fields_round_trips()
    {
        IStateStore store = await OpenAsync(Options());
        var s = new SessionRecord("s1", "", "node-a", null, null, null, T0, SessionState.Connecting);
        await store.PutSessionAsync(s);
        Assert.Equal(s, await store.GetSessionAsync("s1"));
    }

    [Fact]
    public async Task List_filters_by_user_node_and_state_and_follows_replacement()
    {
        IStateStore store = await OpenAsync(Options());
        await store.PutSessionAsync(Session("s1", "alice", "n1", SessionState.Active, 3));
        await store.PutSessionAsync(Session("s2", "bob", "n1", SessionState.Connecting, 2));
        await store.PutSessionAsync(Session("s3", "alice", "n2", SessionState.Active, 1));

        Assert.Equal(["s3", "s2", "s1"], Ids(await store.ListSessionsAsync(SessionFilter.All)));
        Assert.Equal(["s3", "s1"], Ids(await store.ListSessionsAsync(new SessionFilter(UserName: "alice"))));
        Assert.Equal(["s2", "s1"], Ids(await store.ListSessionsAsync(new SessionFilter(NodeId: "n1"))));
        Assert.Equal(["s1"], Ids(await store.ListSessionsAsync(new SessionFilter("alice", "n1", SessionState.Active))));
        Assert.Equal(["s2"], Ids(await store.ListSessionsAsync(new SessionFilter(State: SessionState.Connecting))));

        // Moving s1 to another node and user updates every index.
        await store.PutSessionAsync(Session("s1", "carol", "n2", SessionState.Active, 3));
        Assert.Equal(["s2"], Ids(await store.ListSessionsAsync(new SessionFilter(NodeId: "n1"))));
        Assert.Equal(["s3"], Ids(await store.ListSessionsAsync(new SessionFilter(UserName: "alice"))));
        Assert.Equal(["s1"], Ids(await store.ListSessionsAsync(new SessionFilter(UserName: "carol", NodeId: "n2"))));
    }

    [Fact]
    public async Task Set_state_and_remove()
    {
        IStateStore store = await OpenAsync(Options());
        await store.PutSessionAsync(Session("s1", "alice", "n1"));

        Assert.False(await store.SetSessionStateAsync("nope", SessionState.Closed, "x"));
        Assert.True(await store.SetSessionStateAsync("s1", SessionState.Disconnecting, "idle timeout"));
        Assert.True(await store.SetSessionStateAsync("s1", SessionState.Closed));
        SessionRecord? s = await store.GetSessionAsync("s1");
        Assert.Equal(SessionState.Closed, s!.State);
        Assert.Equal("idle timeout", s.DisconnectReason);

        Assert.True(await store.RemoveSessionAsync("s1"));
        Assert.False(await store.RemoveSessionAsync("s1"));
        Assert.Null(await store.GetSessionAsync("s1"));
        Assert.Empty(await store.ListSessionsAsync(SessionFilter.All));
        Assert.Empty(await store.ListSessionsAsync(new SessionFilter(UserName: "alice")));
    }

    [Fact]
    public async Task Counters_batch_update_touches_known_sessions_only()
    {
        IStateStore store = await OpenAsync(Options());
        for (int i = 0; i < 600; i++)
        {
            await store.PutSessionAsync(Session("s" + i, "u" + i, "n1"));
        }

        Time.Advance(TimeSpan.FromSeconds(5));
        var updates = new List<SessionCounterUpdate>();
        for (int i = 0; i < 600; i++)
        {
            updates.Add(new SessionCounterUpdate("s" + i, new SessionCounters(i * 1000L, i * 2000L, i, i * 2L)));
        }

        updates.Add(new SessionCounterUpdate("ghost", new SessionCounters(1, 1, 1, 1)));

        Assert.Equal(600, await store.UpdateCountersAsync(updates));
        Assert.Equal(0, await store.UpdateCountersAsync([]));
        SessionRecord? s = await store.GetSessionAsync("s599");
        Assert.Equal(new SessionCounters(599_000, 1_198_000, 599, 1198), s!.Counters);
        Assert.Equal(T0.AddSeconds(5), s.CountersUpdatedAt);
        Assert.Equal(SessionState.Active, s.State);
        Assert.Equal("u599", s.UserName);
        Assert.Null(await store.GetSessionAsync("ghost"));
        Assert.Equal(600, (await store.ListSessionsAsync(SessionFilter.All)).Count);
    }

    // ---- leases ----

    [Fact]
    public async Task Allocates_in_pool_order_then_reports_exhaustion()
    {
        IStateStore store = await OpenAsync(Options());
        Assert.Equal(5, store.Pool.Size);
        Assert.Equal(IPAddress.Parse("10.8.0.1"), store.Pool.GatewayAddress);

        var got = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            LeaseAllocation a = await store.AllocateAsync("u" + i, "s" + i, "n1");
            Assert.Equal(LeaseOutcome.Allocated, a.Outcome);
            Assert.Equal(new IpLease(a.Lease!.Address, "u" + i, "s" + i, "n1", LeaseState.Active, T0, null), a.Lease);
            got.Add(a.Lease.Address.ToString());
        }

        Assert.Equal(["10.8.0.2", "10.8.0.3", "10.8.0.4", "10.8.0.5", "10.8.0.6"], got);
        LeaseAllocation full = await store.AllocateAsync("u9", "s9", "n1");
        Assert.Equal(LeaseOutcome.PoolExhausted, full.Outcome);
        Assert.Null(full.Lease);
        Assert.False(full.Succeeded);
        Assert.Equal(new PoolUsage(5, 5, 0, 0), await store.GetPoolUsageAsync());
    }

    [Fact]
    public async Task Allocation_is_idempotent_per_session()
    {
        IStateStore store = await OpenAsync(Options());
        LeaseAllocation first = await store.AllocateAsync("alice", "s1", "n1");
        Time.Advance(TimeSpan.FromSeconds(1));
        LeaseAllocation again = await store.AllocateAsync("alice", "s1", "n1");
        Assert.Equal(LeaseOutcome.Existing, again.Outcome);
        Assert.Equal(first.Lease, again.Lease);
        Assert.Equal(new PoolUsage(5, 1, 0, 4), await store.GetPoolUsageAsync());
    }

    [Fact]
    public async Task Released_address_lingers_for_its_user_and_comes_back_within_linger()
    {
        IStateStore store = await OpenAsync(Options());
        IPAddress a = (await store.AllocateAsync("alice", "s1", "n1")).Lease!.Address;
        Assert.True(await store.ReleaseAsync("s1"));
        Assert.False(await store.ReleaseAsync("s1"));

        IpLease? lingering = await store.GetLeaseAsync(a);
        Assert.Equal(new IpLease(a, "alice", "s1", "n1", LeaseState.Lingering, T0, T0.AddMinutes(5)), lingering);
        Assert.Equal(new PoolUsage(5, 0, 1, 4), await store.GetPoolUsageAsync());

        // Another user never gets alice's lingering address while free ones remain.
        IPAddress b = (await store.AllocateAsync("bob", "s2", "n1")).Lease!.Address;
        Assert.NotEqual(a, b);

        // Alice reconnects (new session, other node) just before the linger ends: same address.
        Time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        LeaseAllocation back = await store.AllocateAsync("alice", "s3", "n2");
        Assert.Equal(LeaseOutcome.Restored, back.Outcome);
        Assert.Equal(new IpLease(a, "alice", "s3", "n2", LeaseState.Active, Time.GetUtcNow(), null), back.Lease);
        Assert.Equal(new PoolUsage(5, 2, 0, 3), await store.GetPoolUsageAsync());
    }

    [Fact]
    public async Task Linger_expires_and_the_address_becomes_free_again()
    {
        IStateStore store = await OpenAsync(Options());
        IPAddress a = (await store.AllocateAsync("alice", "s1", "n1")).Lease!.Address;
        await store.ReleaseAsync("s1");
        Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Null(await store.GetLeaseAsync(a));
        Assert.Equal(new PoolUsage(5, 0, 0, 5), await store.GetPoolUsageAsync());
        LeaseAllocation again = await store.AllocateAsync("alice", "s2", "n1");
        Assert.Equal(LeaseOutcome.Allocated, again.Outcome);

        // Freed addresses go to the back of the free list (least recently used first): alice gets a never-used one.
        Assert.Equal(IPAddress.Parse("10.8.0.3"), again.Lease!.Address);
        Assert.Equal([again.Lease], await store.ListLeasesAsync());
    }

    [Fact]
    public async Task Exhausted_pool_reclaims_the_oldest_lingering_address_when_allowed()
    {
        IStateStore store = await OpenAsync(Options());
        for (int i = 0; i < 5; i++)
        {
            await store.AllocateAsync("u" + i, "s" + i, "n1");
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        await store.ReleaseAsync("s3");
        Time.Advance(TimeSpan.FromSeconds(1));
        await store.ReleaseAsync("s1");

        LeaseAllocation stolen = await store.AllocateAsync("newcomer", "s9", "n1");
        Assert.Equal(LeaseOutcome.Allocated, stolen.Outcome);
        Assert.Equal(IPAddress.Parse("10.8.0.5"), stolen.Lease!.Address);

        // u3 lost its reservation; u1 still has one.
        LeaseAllocation u3 = await store.AllocateAsync("u3", "s10", "n1");
        Assert.Equal(LeaseOutcome.Allocated, u3.Outcome);
        Assert.Equal(IPAddress.Parse("10.8.0.3"), u3.Lease!.Address);
        Assert.Equal(LeaseOutcome.PoolExhausted, (await store.AllocateAsync("u1", "s11", "n1")).Outcome);
    }

    [Fact]
    public async Task Exhausted_pool_keeps_lingering_addresses_when_reclaim_is_off()
    {
        IStateStore store = await OpenAsync(Options(reclaim: false));
        for (int i = 0; i < 5; i++)
        {
            await store.AllocateAsync("u" + i, "s" + i, "n1");
        }

        await store.ReleaseAsync("s0");
        Assert.Equal(LeaseOutcome.PoolExhausted, (await store.AllocateAsync("newcomer", "s9", "n1")).Outcome);
        Assert.Equal(LeaseOutcome.Restored, (await store.AllocateAsync("u0", "s10", "n1")).Outcome);
    }

    [Fact]
    public async Task Zero_linger_frees_at_once()
    {
        IStateStore store = await OpenAsync(Options(linger: TimeSpan.Zero));
        IPAddress a = (await store.AllocateAsync("alice", "s1", "n1")).Lease!.Address;
        await store.ReleaseAsync("s1");
        Assert.Null(await store.GetLeaseAsync(a));
        Assert.Equal(new PoolUsage(5, 0, 0, 5), await store.GetPoolUsageAsync());
        Assert.Equal(LeaseOutcome.Allocated, (await store.AllocateAsync("alice", "s2", "n1")).Outcome);
    }

    [Fact]
    public async Task List_leases_shows_active_and_lingering_in_address_order()
    {
        IStateStore store = await OpenAsync(Options());
        await store.AllocateAsync("a", "s1", "n1");
        await store.AllocateAsync("b", "s2", "n1");
        await store.AllocateAsync("c", "s3", "n2");
        await store.ReleaseAsync("s1");

        IReadOnlyList<IpLease> leases = await store.ListLeasesAsync();
        Assert.Equal(
            [
                new IpLease(IPAddress.Parse("10.8.0.2"), "a", "s1", "n1", LeaseState.Lingering, T0, T0.AddMinutes(5)),
                new IpLease(IPAddress.Parse("10.8.0.3"), "b", "s2", "n1", LeaseState.Active, T0, null),
                new IpLease(IPAddress.Parse("10.8.0.4"), "c", "s3", "n2", LeaseState.Active, T0, null),
            ],
            leases);
        Assert.Null(await store.GetLeaseAsync(IPAddress.Parse("10.8.0.1")));
        Assert.Null(await store.GetLeaseAsync(IPAddress.Parse("192.0.2.1")));
    }

    [Fact]
    public async Task Concurrent_allocations_from_two_nodes_never_hand_out_an_address_twice()
    {
        // 10.9.0.0-10.9.3.131: 900 addresses for 1,000 concurrent requests, half on each node.
        StateOptions options = Options(range: "10.9.0.0-10.9.3.131");
        IStateStore nodeA = await OpenAsync(options);
        IStateStore nodeB = await OpenAsync(options);
        var pool = nodeA.Pool.Addresses().Select(IpPool.ToAddress).ToHashSet();
        Assert.Equal(900, pool.Count);

        LeaseAllocation[] results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => Task.Run(() =>
            (i % 2 == 0 ? nodeA : nodeB).AllocateAsync("user" + i, "session" + i, i % 2 == 0 ? "a" : "b"))));

        // Model: the handed-out addresses are distinct members of the pool, and exactly the whole pool.
        var model = new HashSet<IPAddress>();
        foreach (LeaseAllocation r in results.Where(r => r.Succeeded))
        {
            Assert.Equal(LeaseOutcome.Allocated, r.Outcome);
            Assert.True(model.Add(r.Lease!.Address), $"{r.Lease.Address} was handed out twice");
            Assert.Contains(r.Lease.Address, pool);
        }

        Assert.Equal(900, model.Count);
        Assert.True(pool.SetEquals(model));
        Assert.Equal(100, results.Count(r => r.Outcome == LeaseOutcome.PoolExhausted));
        Assert.Equal(new PoolUsage(900, 900, 0, 0), await nodeB.GetPoolUsageAsync());

        // Release 300 at once, re-allocate 400 concurrently: 300 succeed, still no duplicates.
        int[] released = Enumerable.Range(0, 1000).Where(i => results[i].Succeeded).Take(300).ToArray();
        await Task.WhenAll(released.Select(i => Task.Run(() => (i % 2 == 0 ? nodeB : nodeA).ReleaseAsync("session" + i))));
        Time.Advance(TimeSpan.FromMinutes(6));
        LeaseAllocation[] second = await Task.WhenAll(Enumerable.Range(1000, 400).Select(i => Task.Run(() =>
            (i % 2 == 0 ? nodeA : nodeB).AllocateAsync("user" + i, "session" + i, "a"))));
        Assert.Equal(300, second.Count(r => r.Succeeded));
        foreach (int i in released)
        {
            Assert.True(model.Remove(results[i].Lease!.Address));
        }

        foreach (LeaseAllocation r in second.Where(r => r.Succeeded))
        {
            Assert.True(model.Add(r.Lease!.Address), $"{r.Lease.Address} was handed out twice");
        }

        Assert.True(pool.SetEquals(model));
        IReadOnlyList<IpLease> leases = await nodeA.ListLeasesAsync();
        Assert.Equal(900, leases.Count);
        Assert.True(leases.Select(l => l.Address).ToHashSet().SetEquals(model));
    }

    [Fact]
    public async Task Random_operations_match_a_simple_model()
    {
        // Model: session -> address (active), user -> (address, until) (lingering); the store must agree on every lease.
        StateOptions options = Options(range: "10.7.0.1-10.7.0.12", linger: TimeSpan.FromSeconds(30));
        IStateStore store = await OpenAsync(options);
        var random = new Random(12345);
        var active = new Dictionary<string, (string User, IPAddress Address)>();
        var lingering = new Dictionary<IPAddress, (string User, DateTimeOffset Until)>();
        int sessionSeq = 0;
        for (int step = 0; step < 300; step++)
        {
            int op = random.Next(10);
            DateTimeOffset now = Time.GetUtcNow();
            foreach (IPAddress gone in lingering.Where(l => l.Value.Until <= now).Select(l => l.Key).ToList())
            {
                lingering.Remove(gone);
            }

            if (op < 5)
            {
                string user = "u" + random.Next(8);
                string session = "s" + sessionSeq++;
                LeaseAllocation r = await store.AllocateAsync(user, session, "n1");
                if (r.Succeeded)
                {
                    IPAddress a = r.Lease!.Address;
                    Assert.DoesNotContain(active.Values, v => v.Address.Equals(a));
                    if (lingering.TryGetValue(a, out var l))
                    {
                        // Either the user's own reservation or (pool full) a reclaimed one.
                        Assert.True(l.User == user || active.Count + lingering.Count == 12);
                        lingering.Remove(a);
                    }

                    active[session] = (user, a);
                }
                else
                {
                    Assert.Equal(12, active.Count);
                }
            }
            else if (op < 8 && active.Count > 0)
            {
                string session = active.Keys.ElementAt(random.Next(active.Count));
                (string user, IPAddress a) = active[session];
                Assert.True(await store.ReleaseAsync(session));
                active.Remove(session);
                lingering[a] = (user, now.AddSeconds(30));
            }
            else
            {
                Time.Advance(TimeSpan.FromSeconds(random.Next(1, 12)));
            }

            now = Time.GetUtcNow();
            int liveLingering = lingering.Count(l => l.Value.Until > now);
            Assert.Equal(new PoolUsage(12, active.Count, liveLingering, 12 - active.Count - liveLingering), await store.GetPoolUsageAsync());
        }

        var expected = active.Select(a => (a.Value.Address, LeaseState.Active))
            .Concat(lingering.Where(l => l.Value.Until > Time.GetUtcNow()).Select(l => (l.Key, LeaseState.Lingering)))
            .OrderBy(x => IpPool.ToUInt32(x.Item1)).ToList();
        Assert.Equal(expected, (await store.ListLeasesAsync()).Select(l => (l.Address, l.State)).ToList());
    }

    // ---- nodes ----

    [Fact]
    public async Task Node_registers_heartbeats_drains_and_lists()
    {
        IStateStore store = await OpenAsync(Options());
        NodeInfo a = await store.RegisterNodeAsync("node-a", "10.0.0.5:8443");
        Assert.Equal(new NodeInfo("node-a", "10.0.0.5:8443", NodeState.Active, T0, T0, T0.AddSeconds(15), null), a);
        await store.RegisterNodeAsync("node-b");

        Time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await store.HeartbeatAsync("node-a"));
        Assert.False(await store.HeartbeatAsync("node-x"));
        Assert.True(await store.SetDrainAsync("node-a", T0.AddMinutes(10)));
        Assert.False(await store.SetDrainAsync("node-x", T0));

        Assert.Equal(
            [
                new NodeInfo("node-a", "10.0.0.5:8443", NodeState.Draining, T0, T0.AddSeconds(5), T0.AddSeconds(20), T0.AddMinutes(10)),
                new NodeInfo("node-b", null, NodeState.Active, T0, T0, T0.AddSeconds(15), null),
            ],
            await store.ListNodesAsync());

        Assert.True(await store.SetDrainAsync("node-a", null));
        Assert.Equal(NodeState.Active, (await store.GetNodeAsync("node-a"))!.State);
        Assert.Null((await store.GetNodeAsync("node-a"))!.DrainDeadline);
        Assert.Null(await store.GetNodeAsync("node-x"));
    }

    [Fact]
    public async Task Expired_node_is_swept_once_and_its_users_get_their_addresses_back_elsewhere()
    {
        StateOptions options = Options();
        IStateStore nodeA = await OpenAsync(options);
        IStateStore nodeB = await OpenAsync(options);
        await nodeA.RegisterNodeAsync("a");
        await nodeB.RegisterNodeAsync("b");
        IPAddress aliceAddress = (await nodeA.AllocateAsync("alice", "sa1", "a")).Lease!.Address;
        await nodeA.AllocateAsync("bob", "sa2", "a");
        await nodeB.AllocateAsync("carol", "sb1", "b");
        await nodeA.PutSessionAsync(Session("sa1", "alice", "a"));
        await nodeA.PutSessionAsync(Session("sa2", "bob", "a"));
        await nodeB.PutSessionAsync(Session("sb1", "carol", "b"));
        await nodeA.SendAsync(NodeCommand.Disconnect("a", "sa1", "test", T0));

        // b keeps beating; a crashed at T0. At T0+15 s a's registration expires.
        Time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await nodeB.HeartbeatAsync("b"));
        Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(SweepResult.Empty, await nodeB.SweepExpiredNodesAsync());
        Time.Advance(TimeSpan.FromSeconds(1));

        // Two live nodes sweep at the same moment: the dead node is cleaned exactly once.
        SweepResult[] sweeps = await Task.WhenAll(
            Task.Run(() => nodeB.SweepExpiredNodesAsync()), Task.Run(() => nodeA.SweepExpiredNodesAsync()));
        SweepResult done = Assert.Single(sweeps, s => s.RemovedNodes.Count > 0);
        Assert.Equal(["a"], done.RemovedNodes);
        Assert.Equal(2, done.LeasesReleased);
        Assert.Equal(2, done.SessionsRemoved);

        Assert.Equal(["b"], (await nodeB.ListNodesAsync()).Select(n => n.NodeId));
        Assert.Equal(["sb1"], Ids(await nodeB.ListSessionsAsync(SessionFilter.All)));
        Assert.Empty(await nodeB.ListSessionsAsync(new SessionFilter(UserName: "alice")));
        Assert.Empty(await nodeB.GetPendingCommandsAsync("a"));
        Assert.Equal(new PoolUsage(5, 1, 2, 2), await nodeB.GetPoolUsageAsync());
        Assert.False(await nodeB.HeartbeatAsync("a"));

        // Alice reconnects to node b and gets her address back.
        LeaseAllocation back = await nodeB.AllocateAsync("alice", "sb2", "b");
        Assert.Equal(LeaseOutcome.Restored, back.Outcome);
        Assert.Equal(aliceAddress, back.Lease!.Address);
    }

    [Fact]
    public async Task Reregistering_a_restarted_node_cleans_its_previous_incarnation()
    {
        IStateStore store = await OpenAsync(Options());
        await store.RegisterNodeAsync("a");
        await store.AllocateAsync("alice", "s1", "a");
        await store.PutSessionAsync(Session("s1", "alice", "a"));

        Time.Advance(TimeSpan.FromSeconds(3));
        NodeInfo again = await store.RegisterNodeAsync("a");
        Assert.Equal(T0.AddSeconds(3), again.RegisteredAt);
        Assert.Empty(await store.ListSessionsAsync(SessionFilter.All));
        Assert.Equal(new PoolUsage(5, 0, 1, 4), await store.GetPoolUsageAsync());
    }

    [Fact]
    public async Task Unregister_releases_leases_and_removes_sessions()
    {
        IStateStore store = await OpenAsync(Options());
        await store.RegisterNodeAsync("a");
        await store.AllocateAsync("alice", "s1", "a");
        await store.PutSessionAsync(Session("s1", "alice", "a"));

        Assert.True(await store.UnregisterNodeAsync("a"));
        Assert.False(await store.UnregisterNodeAsync("a"));
        Assert.Empty(await store.ListNodesAsync());
        Assert.Empty(await store.ListSessionsAsync(SessionFilter.All));
        Assert.Equal(new PoolUsage(5, 0, 1, 4), await store.GetPoolUsageAsync());
    }

    // ---- commands ----

    [Fact]
    public async Task Commands_are_delivered_by_pubsub_and_stay_pending_until_acknowledged()
    {
        StateOptions options = Options();
        IStateStore target = await OpenAsync(options);
        IStateStore sender = await OpenAsync(options);
        await target.RegisterNodeAsync("a");
        var received = new TaskCompletionSource<NodeCommand>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await target.SubscribeCommandsAsync("a", c =>
        {
            received.TrySetResult(c);
            return Task.CompletedTask;
        }))
        {
            NodeCommand command = NodeCommand.Disconnect("a", "s1", "kicked by admin", T0);
            Assert.True(await sender.SendAsync(command));
            NodeCommand got = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(command, got);
            Assert.Equal(NodeCommandKind.DisconnectSession, got.Kind);

            Assert.Equal([command], await target.GetPendingCommandsAsync("a"));
            Assert.True(await target.AcknowledgeCommandAsync("a", command.CommandId));
            Assert.False(await target.AcknowledgeCommandAsync("a", command.CommandId));
            Assert.Empty(await target.GetPendingCommandsAsync("a"));
        }
    }

    [Fact]
    public async Task Commands_missed_by_a_node_that_was_not_listening_are_found_by_polling()
    {
        StateOptions options = Options();
        IStateStore target = await OpenAsync(options);
        IStateStore sender = await OpenAsync(options);
        await target.RegisterNodeAsync("a");
        NodeCommand first = NodeCommand.Disconnect("a", "s1", "one", T0);
        NodeCommand second = NodeCommand.Disconnect("a", "s2", "two", T0.AddSeconds(1));
        Assert.True(await sender.SendAsync(second));
        Assert.True(await sender.SendAsync(first));

        // A subscriber that joins later sees nothing published, but polling finds both, oldest first.
        int pushed = 0;
        await using (await target.SubscribeCommandsAsync("a", _ =>
        {
            Interlocked.Increment(ref pushed);
            return Task.CompletedTask;
        }))
        {
            Assert.Equal([first, second], await target.GetPendingCommandsAsync("a"));
            Assert.True(await target.AcknowledgeCommandAsync("a", first.CommandId));
            Assert.Equal([second], await target.GetPendingCommandsAsync("a"));
            Assert.Equal(0, Volatile.Read(ref pushed));
        }

        Assert.False(await sender.SendAsync(NodeCommand.Disconnect("nobody", "s1", "x", T0)));
        Assert.Empty(await sender.GetPendingCommandsAsync("nobody"));
    }

    [Fact]
    public async Task Disposed_subscription_receives_nothing_more()
    {
        IStateStore store = await OpenAsync(Options());
        await store.RegisterNodeAsync("a");
        var seen = new ConcurrentQueue<NodeCommand>();
        var firstSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IAsyncDisposable sub = await store.SubscribeCommandsAsync("a", c =>
        {
            seen.Enqueue(c);
            firstSeen.TrySetResult();
            return Task.CompletedTask;
        });
        await store.SendAsync(NodeCommand.Disconnect("a", "s1", "one", T0));
        await firstSeen.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await sub.DisposeAsync();
        await store.SendAsync(NodeCommand.Disconnect("a", "s2", "two", T0));
        await Task.Delay(200);
        Assert.Equal(["s1"], seen.Select(c => c.SessionId));
        Assert.Equal(2, (await store.GetPendingCommandsAsync("a")).Count);
    }

    // ---- health ----

    [Fact]
    public async Task Health_check_reports_healthy()
    {
        IStateStore store = await OpenAsync(Options());
        StoreHealth health = await store.CheckHealthAsync();
        Assert.True(health.IsHealthy);
        Assert.Equal(store.Provider, health.Provider);
        Assert.Null(health.Error);
    }

    private static string[] Ids(IReadOnlyList<SessionRecord> sessions) => sessions.Select(s => s.SessionId).ToArray();
}
