using Gateway.State;
using Gateway.Tunnel;

namespace Gateway.Tests.State;

public class Ipv6PrefixPoolTests
{
    [Fact]
    public void A_48_holds_65536_64s_numbered_by_the_subnet_bits()
    {
        Ipv6PrefixPool pool = Ipv6PrefixPool.Parse("fd53:5354:5000:1234::/48");
        Assert.Equal("fd53:5354:5000::/48", pool.Spec);
        Assert.Equal(65536, pool.Size);
        Assert.Equal(65536, pool.Indexes.Size);
        Assert.Equal(IpPacket.ToUInt128(System.Net.IPAddress.Parse("fd53:5354:5000:ab::")), pool.PrefixAt(0xab));
        Assert.True(pool.TryGetIndex(IpPacket.ToUInt128(System.Net.IPAddress.Parse("fd53:5354:5000:ffff:1::9")), out uint index));
        Assert.Equal(0xffffu, index);
        Assert.False(pool.TryGetIndex(IpPacket.ToUInt128(System.Net.IPAddress.Parse("fd53:5354:5001::1")), out _));
    }

    [Fact]
    public void A_64_is_one_prefix_and_a_46_is_the_largest_pool()
    {
        Assert.Equal(1, Ipv6PrefixPool.Parse("2001:db8:1:2::/64").Size);
        Assert.Equal(IpPool.MaxSize, Ipv6PrefixPool.Parse("2001:db8::/46").Size);
    }

    [Theory]
    [InlineData("2001:db8::/45")]
    [InlineData("2001:db8::/65")]
    [InlineData("10.0.0.0/24")]
    [InlineData("2001:db8::")]
    [InlineData("")]
    public void Bad_pools_are_refused_naming_the_setting(string text)
    {
        var ex = Assert.Throws<ArgumentException>(() => Ipv6PrefixPool.Parse(text, "Tunnel:Ipv6Prefix"));
        Assert.Contains("Tunnel:Ipv6Prefix", ex.Message);
    }

    [Fact]
    public void Router_settings_follow_the_interval_and_check_mtu_and_dns()
    {
        var s = new Ipv6RouterSettings(1400, ["fd53::53", "fd53::54"], TimeSpan.FromMinutes(10));
        Assert.Equal(1800, s.RouterLifetimeSeconds);
        Assert.Equal(600_000, s.AdvertisementIntervalMs);
        Assert.Equal(2, s.DnsServers.Length);
        Assert.Equal(5400, new Ipv6RouterSettings(1400, null, TimeSpan.FromMinutes(30)).RouterLifetimeSeconds);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ipv6RouterSettings(1279));
        Assert.Throws<ArgumentException>(() => new Ipv6RouterSettings(1400, ["192.0.2.53"]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ipv6RouterSettings(1400, null, TimeSpan.FromSeconds(3)));
    }
}
