using System.Net;
using Gateway.State;

namespace Gateway.Tests.State;

public sealed class IpPoolTests
{
    [Fact]
    public void Cidr_excludes_network_broadcast_and_gateway()
    {
        IpPool pool = IpPool.Parse("10.8.0.0/24");
        Assert.Equal(253, pool.Size);
        Assert.Equal(IPAddress.Parse("10.8.0.1"), pool.GatewayAddress);
        Assert.Equal(0x0A080000u, pool.First);
        Assert.Equal(0x0A0800FFu, pool.Last);
        Assert.False(pool.Contains(IPAddress.Parse("10.8.0.0")));
        Assert.False(pool.Contains(IPAddress.Parse("10.8.0.1")));
        Assert.True(pool.Contains(IPAddress.Parse("10.8.0.2")));
        Assert.True(pool.Contains(IPAddress.Parse("10.8.0.254")));
        Assert.False(pool.Contains(IPAddress.Parse("10.8.0.255")));
        Assert.False(pool.Contains(IPAddress.Parse("10.8.1.2")));
        Assert.False(pool.Contains(IPAddress.IPv6Loopback));
        Assert.Equal(IPAddress.Parse("10.8.0.2"), IpPool.ToAddress(pool.Addresses().First()));
        Assert.Equal(253, pool.Addresses().Count());
    }

    [Fact]
    public void Cidr_host_bits_are_ignored()
    {
        Assert.Equal(IpPool.Parse("10.8.0.0/24").Spec, IpPool.Parse("10.8.0.77/24").Spec);
    }

    [Fact]
    public void Range_is_inclusive_with_explicit_gateway_and_exclusions()
    {
        IpPool plain = IpPool.Parse("10.8.0.10-10.8.0.20");
        Assert.Equal(11, plain.Size);
        Assert.Null(plain.GatewayAddress);

        IpPool pool = IpPool.Parse(" 10.8.0.10 - 10.8.0.20 ", "10.8.0.10", ["10.8.0.15", "192.0.2.1"]);
        Assert.Equal(9, pool.Size);
        Assert.Equal(IPAddress.Parse("10.8.0.10"), pool.GatewayAddress);
        Assert.Equal([0x0A08000Au, 0x0A08000Fu], pool.Excluded);
        Assert.Equal(
            ["10.8.0.11", "10.8.0.12", "10.8.0.13", "10.8.0.14", "10.8.0.16", "10.8.0.17", "10.8.0.18", "10.8.0.19", "10.8.0.20"],
            pool.Addresses().Select(a => IpPool.ToAddress(a).ToString()));
    }

    [Fact]
    public void Gateway_outside_the_pool_is_kept_but_excludes_nothing()
    {
        IpPool pool = IpPool.Parse("10.8.0.0/24", "10.0.0.1");
        Assert.Equal(254, pool.Size);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), pool.GatewayAddress);
    }

    [Theory]
    [InlineData("10.8.0.0/31", 2)]
    [InlineData("10.8.0.5/32", 1)]
    [InlineData("10.8.0.0/30", 1)]
    [InlineData("10.8.0.0/14", IpPool.MaxSize - 3)]
    public void Small_and_large_prefixes(string range, int size) => Assert.Equal(size, IpPool.Parse(range).Size);

    [Theory]
    [InlineData("")]
    [InlineData("10.8.0.0")]
    [InlineData("10.8.0.0/33")]
    [InlineData("10.8.0.0/-1")]
    [InlineData("10.8.0.0/x")]
    [InlineData("10.8/16")]
    [InlineData("2001:db8::/64")]
    [InlineData("10.8.0.20-10.8.0.10")]
    [InlineData("10.8.0.0/8")]
    [InlineData("10.8.0.300/24")]
    public void Bad_ranges_are_refused_with_a_clear_message(string range)
    {
        ArgumentException ex = Assert.Throws<ArgumentException>(() => IpPool.Parse(range));
        Assert.Contains("State:Pool:Range", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pool_that_leaves_nothing_is_refused()
    {
        Assert.Throws<ArgumentException>(() => IpPool.Parse("10.8.0.5/32", "10.8.0.5"));
        Assert.Throws<ArgumentException>(() => IpPool.Parse("10.8.0.0/24", exclude: ["not-an-ip"]));
    }

    [Fact]
    public void Spec_identifies_the_configuration()
    {
        Assert.Equal(IpPool.Parse("10.8.0.0/24").Spec, IpPool.Parse("10.8.0.0-10.8.0.255", null, ["10.8.0.0", "10.8.0.1", "10.8.0.255"]).Spec);
        Assert.NotEqual(IpPool.Parse("10.8.0.0/24").Spec, IpPool.Parse("10.8.0.0/24", "10.8.0.254").Spec);
    }
}
