using System.Collections.Concurrent;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

public class Ipv4AddressPoolTests
{
    private static uint A(string s) => TestPackets.V4(s);

    [Fact]
    public void Cidr_pool_excludes_network_broadcast_and_gateway()
    {
        var pool = Ipv4AddressPool.FromCidr("10.213.0.0/29", A("10.213.0.1"));
        Assert.Equal(8, pool.Size);
        Assert.Equal(5, pool.Available);
        var got = new List<uint>();
        while (pool.TryAllocate(out uint a))
        {
            got.Add(a);
        }
        Assert.Equal([A("10.213.0.2"), A("10.213.0.3"), A("10.213.0.4"), A("10.213.0.5"), A("10.213.0.6")], got);
        Assert.Equal(0, pool.Available);
        Assert.False(pool.TryAllocate(A("10.213.0.0")));
        Assert.False(pool.TryAllocate(A("10.213.0.7")));
        Assert.False(pool.TryAllocate(A("10.213.0.1")));
        Assert.False(pool.Release(A("10.213.0.1")));
    }

    [Fact]
    public void Cidr_with_host_bits_and_a_sub_range()
    {
        var pool = Ipv4AddressPool.FromCidr("10.213.5.77/24", A("10.213.5.1"), A("10.213.5.100"), A("10.213.5.102"));
        Assert.Equal(3, pool.Available);
        Assert.True(pool.TryAllocate(out uint first));
        Assert.Equal(A("10.213.5.100"), first);
        Assert.False(pool.TryAllocate(A("10.213.5.99")));
    }

    [Theory]
    [InlineData("10.213.0.0")]
    [InlineData("10.213.0.0/33")]
    [InlineData("fd00::/64")]
    [InlineData("10.213.0.0/-1")]
    [InlineData("banana/24")]
    public void Bad_cidr_is_a_format_error(string cidr)
    {
        Assert.Throws<FormatException>(() => Ipv4AddressPool.ParseCidr(cidr));
    }

    [Fact]
    public void Allocate_all_of_a_slash_16_without_duplicates()
    {
        var pool = Ipv4AddressPool.FromCidr("10.213.0.0/16", A("10.213.0.1"));
        var seen = new HashSet<uint>();
        while (pool.TryAllocate(out uint a))
        {
            Assert.True(seen.Add(a));
            Assert.InRange(a, A("10.213.0.2"), A("10.213.255.254"));
        }
        Assert.Equal(65536 - 3, seen.Count);
    }

    [Fact]
    public void Released_addresses_are_reused_after_the_rest()
    {
        var pool = new Ipv4AddressPool(A("10.213.1.10"), A("10.213.1.13"));
        Assert.True(pool.TryAllocate(out uint a0));
        Assert.True(pool.TryAllocate(out uint a1));
        Assert.True(pool.Release(a0));
        Assert.False(pool.Release(a0));
        Assert.True(pool.TryAllocate(out uint a2));
        Assert.Equal(A("10.213.1.12"), a2); // not a0: the cursor moves on
        Assert.True(pool.TryAllocate(out uint a3));
        Assert.Equal(A("10.213.1.13"), a3);
        Assert.True(pool.TryAllocate(out uint a4));
        Assert.Equal(a0, a4); // wrapped around
        Assert.False(pool.TryAllocate(out _));
        Assert.True(pool.IsAllocated(a1));
    }

    [Fact]
    public void Specific_allocation()
    {
        var pool = Ipv4AddressPool.FromCidr("10.213.2.0/24", A("10.213.2.1"));
        Assert.True(pool.TryAllocate(A("10.213.2.200")));
        Assert.False(pool.TryAllocate(A("10.213.2.200")));
        Assert.False(pool.TryAllocate(A("10.213.3.5")));
        Assert.True(pool.IsAllocated(A("10.213.2.200")));
        Assert.Equal(252, pool.Available);
        Assert.True(pool.Release(A("10.213.2.200")));
        Assert.True(pool.TryAllocate(A("10.213.2.200")));
    }

    [Fact]
    public async Task Async_contract()
    {
        IAddressPool pool = new Ipv4AddressPool(A("10.213.3.1"), A("10.213.3.2"));
        Assert.Equal(A("10.213.3.2"), await pool.AllocateAsync(A("10.213.3.2")));
        Assert.Null(await pool.AllocateAsync(A("10.213.3.2"), preferredOnly: true));
        Assert.Equal(A("10.213.3.1"), await pool.AllocateAsync(A("10.213.3.2")));
        Assert.Null(await pool.AllocateAsync());
        await pool.ReleaseAsync(A("10.213.3.1"));
        Assert.Equal(A("10.213.3.1"), await pool.AllocateAsync());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_operations_match_a_simple_model(int seed)
    {
        var random = new Random(seed);
        uint first = A("10.213.4.0");
        uint last = A("10.213.4.199");
        uint[] excluded = [A("10.213.4.0"), A("10.213.4.1"), A("10.213.4.63"), A("10.213.4.64")];
        var pool = new Ipv4AddressPool(first, last, excluded);
        var model = new HashSet<uint>();
        for (int i = 0; i < 20000; i++)
        {
            uint candidate = first - 2 + (uint)random.Next(204);
            bool valid = candidate >= first && candidate <= last && !excluded.Contains(candidate);
            switch (random.Next(3))
            {
                case 0:
                    bool ok = pool.TryAllocate(out uint got);
                    int free = 200 - excluded.Length - model.Count;
                    Assert.Equal(free > 0, ok);
                    if (ok)
                    {
                        Assert.InRange(got, first, last);
                        Assert.DoesNotContain(got, excluded);
                        Assert.True(model.Add(got));
                    }
                    break;
                case 1:
                    Assert.Equal(valid && !model.Contains(candidate), pool.TryAllocate(candidate));
                    if (valid)
                    {
                        model.Add(candidate);
                    }
                    break;
                default:
                    Assert.Equal(model.Remove(candidate), pool.Release(candidate));
                    break;
            }
            Assert.Equal(200 - excluded.Length - model.Count, pool.Available);
        }
    }

    [Fact]
    public void Concurrent_allocations_never_hand_out_an_address_twice()
    {
        var pool = Ipv4AddressPool.FromCidr("10.213.8.0/22", A("10.213.8.1"));
        int capacity = pool.Available;
        var owners = new ConcurrentDictionary<uint, int>();
        int duplicates = 0;
        Parallel.For(0, 4, worker =>
        {
            var random = new Random(worker);
            var mine = new List<uint>();
            for (int i = 0; i < 20000; i++)
            {
                if (mine.Count > 0 && random.Next(3) == 0)
                {
                    int at = random.Next(mine.Count);
                    uint a = mine[at];
                    mine.RemoveAt(at);
                    owners.TryRemove(a, out _);
                    Assert.True(pool.Release(a));
                }
                else if (pool.TryAllocate(out uint a))
                {
                    if (!owners.TryAdd(a, worker))
                    {
                        Interlocked.Increment(ref duplicates);
                    }
                    mine.Add(a);
                }
            }
        });
        Assert.Equal(0, duplicates);
        Assert.Equal(capacity - owners.Count, pool.Available);
        foreach (uint a in owners.Keys)
        {
            Assert.True(pool.IsAllocated(a));
        }
    }
}
