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
}
