using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

public class TunnelOptionsTests
{
    [Fact]
    public void Defaults_and_derived_values()
    {
        var options = new TunnelOptions { Ipv4Pool = "10.213.20.0/24" };
        Assert.Equal("sstp0", options.DeviceName);
        Assert.Equal(1400, options.Mtu);
        Assert.True(options.ClampMss);
        Assert.True(options.Offload);
        Assert.False(options.Nat);
        Assert.Equal(TestPackets.V4("10.213.20.1"), options.ResolveGatewayAddress());
        Ipv4AddressPool pool = options.CreatePool();
        Assert.Equal(253, pool.Available);
        Assert.False(pool.TryAllocate(TestPackets.V4("10.213.20.1")));
    }

    [Fact]
    public void Explicit_gateway_and_range()
    {
        var options = new TunnelOptions
        {
            Ipv4Pool = "10.213.21.0/24",
            GatewayAddress = "10.213.21.254",
            PoolRangeStart = "10.213.21.250",
            PoolRangeEnd = "10.213.21.255",
        };
        Assert.Equal(TestPackets.V4("10.213.21.254"), options.ResolveGatewayAddress());
        Ipv4AddressPool pool = options.CreatePool();
        Assert.Equal(4, pool.Available); // .250-.253; .254 is the gateway, .255 broadcast
    }
}
