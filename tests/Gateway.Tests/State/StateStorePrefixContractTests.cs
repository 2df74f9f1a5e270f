using System.Net;
using Gateway.State;

namespace Gateway.Tests.State;

/// <summary>
/// The IPv6 /64 prefix pool, the store's second lease pool (<see cref="IStateStore.Ipv6Prefixes"/>): part of the
/// contract every store implements, so it runs against the in-memory store and a real redis-server.
/// </summary>
public abstract partial class StateStoreContractTests
{
    private StateOptions Ipv6Options(string prefix = "fd53:5354:5000::/62", TimeSpan? linger = null)
    {
        StateOptions options = Options(linger: linger);
        options.Ipv6Prefix = prefix;
        return options;
    }

    [Fact]
    public async Task Without_an_ipv6_prefix_the_store_has_no_prefix_pool()
    {
        IStateStore store = await OpenAsync(Options());
        Assert.Null(store.Ipv6Prefixes);
    }

    [Fact]
    public async Task Prefixes_are_distinct_64s_of_the_pool_and_independent_of_the_ipv4_leases()
    {
        // A /62 holds four /64s.
        IStateStore store = await OpenAsync(Ipv6Options());
        Ipv6PrefixLeases prefixes = store.Ipv6Prefixes!;
        Assert.Equal(4, prefixes.Prefixes.Size);

        var got = new List<IPAddress>();
        for (int i = 0; i < 4; i++)
        {
            LeaseAllocation v4 = await store.AllocateAsync("user" + i, "s" + i, "a");
            LeaseAllocation v6 = await prefixes.AllocateAsync("user" + i, "s" + i, "a");
            Assert.True(v4.Succeeded);
            Assert.Equal(LeaseOutcome.Allocated, v6.Outcome);
            Assert.Equal("user" + i, v6.Lease!.UserName);
            got.Add(v6.Lease.Address);
        }

        Assert.Equal(
            new[] { "fd53:5354:5000::", "fd53:5354:5000:1::", "fd53:5354:5000:2::", "fd53:5354:5000:3::" }.Order(StringComparer.Ordinal),
            got.Select(a => a.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(LeaseOutcome.PoolExhausted, (await prefixes.AllocateAsync("user9", "s9", "a")).Outcome);
        Assert.Equal(new PoolUsage(4, 4, 0, 0), await prefixes.GetPoolUsageAsync());
        Assert.Equal(new PoolUsage(5, 4, 0, 1), await store.GetPoolUsageAsync());

        // Any address inside a leased /64 finds its lease; listing shows prefixes.
        IpLease? lease = await prefixes.GetLeaseAsync(IPAddress.Parse("fd53:5354:5000:2:1234::1"));
        Assert.Equal(IPAddress.Parse("fd53:5354:5000:2::"), lease!.Address);
        Assert.Null(await prefixes.GetLeaseAsync(IPAddress.Parse("fd53:5354:5001::1")));
        Assert.Null(await prefixes.GetLeaseAsync(IPAddress.Parse("10.8.0.2")));
        Assert.Equal(4, (await prefixes.ListLeasesAsync()).Count);
        Assert.All(await prefixes.ListLeasesAsync(), l => Assert.Contains(l.Address, got));

        // Releasing the IPv4 lease leaves the prefix lease alone, and the other way round.
        Assert.True(await store.ReleaseAsync("s0"));
        Assert.Equal(4, (await prefixes.GetPoolUsageAsync()).Used);
        Assert.True(await prefixes.ReleaseAsync("s1"));
        Assert.Equal(3, (await store.GetPoolUsageAsync()).Used);
    }

    [Fact]
    public async Task A_released_prefix_lingers_for_the_same_user()
    {
        IStateStore store = await OpenAsync(Ipv6Options());
        Ipv6PrefixLeases prefixes = store.Ipv6Prefixes!;
        IPAddress first = (await prefixes.AllocateAsync("alice", "s1", "a")).Lease!.Address;
        Assert.True(await prefixes.ReleaseAsync("s1"));
        Assert.Equal(new PoolUsage(4, 0, 1, 3), await prefixes.GetPoolUsageAsync());

        await prefixes.AllocateAsync("bob", "s2", "a");
        LeaseAllocation back = await prefixes.AllocateAsync("alice", "s3", "a");
        Assert.Equal(LeaseOutcome.Restored, back.Outcome);
        Assert.Equal(first, back.Lease!.Address);
    }

    [Fact]
    public async Task Two_nodes_never_hand_out_the_same_prefix_and_a_dead_nodes_prefixes_are_released()
    {
        // A /56: 256 prefixes for 300 concurrent requests from two nodes.
        StateOptions options = Ipv6Options("fd53:5354:5000::/56");
        IStateStore nodeA = await OpenAsync(options);
        IStateStore nodeB = await OpenAsync(options);
        await nodeA.RegisterNodeAsync("a");
        await nodeB.RegisterNodeAsync("b");
        LeaseAllocation[] results = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Task.Run(() =>
            (i % 2 == 0 ? nodeA : nodeB).Ipv6Prefixes!.AllocateAsync("user" + i, "session" + i, i % 2 == 0 ? "a" : "b"))));

        IPAddress[] handedOut = results.Where(r => r.Succeeded).Select(r => r.Lease!.Address).ToArray();
        Assert.Equal(256, handedOut.Length);
        Assert.Equal(256, handedOut.Distinct().Count());
        Assert.All(handedOut, a => Assert.StartsWith("fd53:5354:5000:", a.ToString()));
        Assert.Equal(44, results.Count(r => r.Outcome == LeaseOutcome.PoolExhausted));
        int onA = results.Where((r, i) => r.Succeeded && i % 2 == 0).Count();

        // Node a stops heart-beating: the sweep releases its IPv4 and IPv6 leases alike.
        await nodeA.AllocateAsync("user0", "session0", "a");
        Time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await nodeB.HeartbeatAsync("b"));
        Time.Advance(TimeSpan.FromSeconds(6));
        SweepResult swept = await nodeB.SweepExpiredNodesAsync();
        Assert.Equal(["a"], swept.RemovedNodes);
        Assert.Equal(onA + 1, swept.LeasesReleased);
        PoolUsage usage = await nodeB.Ipv6Prefixes!.GetPoolUsageAsync();
        Assert.Equal(256 - onA, usage.Used);
        Assert.Equal(onA, usage.Lingering);
        Assert.Equal(0, (await nodeB.GetPoolUsageAsync()).Used);
    }

    [Fact]
    public async Task A_prefix_lease_of_a_node_that_unregisters_is_released()
    {
        IStateStore store = await OpenAsync(Ipv6Options(linger: TimeSpan.Zero));
        await store.RegisterNodeAsync("a");
        await store.Ipv6Prefixes!.AllocateAsync("alice", "s1", "a");
        Assert.True(await store.UnregisterNodeAsync("a"));
        Assert.Equal(new PoolUsage(4, 0, 0, 4), await store.Ipv6Prefixes.GetPoolUsageAsync());
    }
}
