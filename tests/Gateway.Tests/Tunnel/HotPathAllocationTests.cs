using Gateway.Tests.Infrastructure;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

/// <summary>The packet path allocates nothing per packet once warm (style: pooled buffers, spans only).</summary>
public class HotPathAllocationTests
{
    [Fact]
    public void Downlink_and_uplink_allocate_nothing_per_packet()
    {
        using var metrics = new TunnelMetrics();
        var router = new PacketRouter(metrics, 1400);
        router.Attach(new DiscardTun());
        using var queue = new EgressQueue(new EgressQueueOptions(), metrics);
        var addresses = new SessionAddresses(TestPackets.V4("10.213.0.2"));
        router.TryRegister(addresses, queue);
        byte[] down = TestPackets.Bytes(TestPackets.V4SynAck);
        byte[] up = TestPackets.Bytes(TestPackets.V4Syn);
        byte[] noRoute = TestPackets.Udp4("10.213.1.1", "10.213.0.77", 1, 2, new byte[1300]);
        var batch = new EgressPacket[64];

        void Round()
        {
            for (int i = 0; i < 32; i++)
            {
                router.DispatchFromTunnel(down);
                router.DispatchFromTunnel(noRoute);
                router.SendToTunnel(addresses, up);
                TcpMssClamp.Clamp(up, 1400);
            }
            int n = queue.DequeueBatch(batch, 64 * 1024);
            for (int i = 0; i < n; i++)
            {
                batch[i].Return();
            }
        }

        Assert.Equal(0, Allocations.AfterWarmup(Round, warmup: 50, measured: 200));
    }

    [Fact]
    public void Ipv6_uplink_link_local_packets_and_router_discovery_allocate_nothing()
    {
        using var metrics = new TunnelMetrics();
        var router = new PacketRouter(metrics, 1400);
        router.Attach(new DiscardTun());
        var addresses = new SessionAddresses(TestPackets.V4("10.213.0.2"), TestPackets.V6("fd53:5354:5000:7::"), 64);
        byte[] up = TestPackets.Udp6("fd53:5354:5000:7::1", "2001:db8::1", 100);
        byte[] toGateway = TestPackets.Udp6("fe80::2", "ff02::2", 8);
        byte[] rs = new byte[Ipv6RouterDiscovery.SolicitationLength];
        Ipv6RouterDiscovery.WriteRouterSolicitation(rs, TestPackets.V6("fe80::2"));
        IpPacket.TryParse(rs, out IpHeader rsHeader);
        var settings = new Ipv6RouterSettings(1400, ["fd53::53"]);
        byte[] ra = new byte[Ipv6RouterDiscovery.MaxAdvertisementLength];
        bool valid = true;

        void Round()
        {
            for (int i = 0; i < 32; i++)
            {
                router.SendToTunnel(addresses, up);
                router.SendToTunnel(addresses, toGateway);
                valid &= Ipv6RouterDiscovery.IsRouterSolicitation(rs, rsHeader);
                Ipv6RouterDiscovery.WriteRouterAdvertisement(ra, Ipv6RouterDiscovery.LinkLocal(1), Ipv6RouterDiscovery.AllNodes,
                    addresses.Ipv6, settings);
            }
        }

        Assert.Equal(0, Allocations.AfterWarmup(Round, warmup: 50, measured: 200));
        Assert.True(valid);
    }
}
