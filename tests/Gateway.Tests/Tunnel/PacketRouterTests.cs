using System.Collections.Concurrent;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

public class PacketRouterTests
{
    private sealed class RecordingSession : ITunnelSession
    {
        public ConcurrentQueue<byte[]> Packets { get; } = new();

        public bool Accept { get; set; } = true;

        public bool EnqueueFromTunnel(ReadOnlySpan<byte> packet)
        {
            if (!Accept)
            {
                return false;
            }
            Packets.Enqueue(packet.ToArray());
            return true;
        }
    }

    private static uint A(string s) => TestPackets.V4(s);

    [Fact]
    public void Register_lookup_unregister_ipv4()
    {
        using var metrics = new TunnelMetrics();
        var router = new PacketRouter(metrics, 1400);
        var s1 = new RecordingSession();
        var s2 = new RecordingSession();
        Assert.True(router.TryRegister(A("10.213.0.2"), s1));
        Assert.False(router.TryRegister(A("10.213.0.2"), s2));
        Assert.Same(s1, router.Lookup(A("10.213.0.2")));
        Assert.Null(router.Lookup(A("10.213.0.3")));
        Assert.False(router.Unregister(A("10.213.0.2"), s2)); // not the owner: the route stays
        Assert.Same(s1, router.Lookup(A("10.213.0.2")));
        Assert.True(router.Unregister(A("10.213.0.2"), s1));
        Assert.Null(router.Lookup(A("10.213.0.2")));
        Assert.Equal(0, router.Ipv4RouteCount);
    }

    [Fact]
    public void Ipv6_host_route_wins_over_prefix()
    {
        using var metrics = new TunnelMetrics();
        var router = new PacketRouter(metrics, 1400);
        var prefix = new RecordingSession();
        var host = new RecordingSession();
        Assert.True(router.TryRegister(TestPackets.V6("fd00:213:0:5::"), 64, prefix));
        Assert.True(router.TryRegister(TestPackets.V6("fd00:213:0:5::99"), 128, host));
        Assert.Same(prefix, router.Lookup(TestPackets.V6("fd00:213:0:5::1234")));
        Assert.Same(host, router.Lookup(TestPackets.V6("fd00:213:0:5::99")));
        Assert.Null(router.Lookup(TestPackets.V6("fd00:213:0:6::1")));
        Assert.Equal(2, router.Ipv6RouteCount);
        Assert.True(router.Unregister(TestPackets.V6("fd00:213:0:5::abcd"), 64, prefix));
        Assert.Null(router.Lookup(TestPackets.V6("fd00:213:0:5::1234")));
        Assert.Throws<ArgumentOutOfRangeException>(() => router.TryRegister(UInt128.One, 48, host));
    }

    [Fact]
    public void Session_address_registration_is_all_or_nothing()
    {
        using var metrics = new TunnelMetrics();
        var router = new PacketRouter(metrics, 1400);
        var other = new RecordingSession();
        var s = new RecordingSession();
        Assert.True(router.TryRegister(TestPackets.V6("fd00:213::7"), 128, other));
        var addresses = new SessionAddresses(A("10.213.0.7"), TestPackets.V6("fd00:213::7"), 128);
        Assert.False(router.TryRegister(addresses, s));
        Assert.Null(router.Lookup(A("10.213.0.7")));
        router.Unregister(TestPackets.V6("fd00:213::7"), 128, other);
        Assert.True(router.TryRegister(addresses, s));
        Assert.Same(s, router.Lookup(A("10.213.0.7")));
        router.Unregister(addresses, s);
        Assert.Equal(0, router.Ipv4RouteCount + router.Ipv6RouteCount);
    }

    [Fact]
    public void Downlink_dispatch_routes_clamps_and_counts()
    {
        using var metrics = new TunnelMetrics();
        using var counters = new MetricCollector(metrics);
        var router = new PacketRouter(metrics, 1400);
        using var tun = new InMemoryTun();
        router.Attach(tun);
        var session = new RecordingSession();
        router.TryRegister(A("10.213.0.2"), session);

        tun.Inject(TestPackets.Bytes(TestPackets.V4SynAck)); // to 10.213.0.2
        tun.Inject(TestPackets.Udp4("10.213.1.1", "10.213.0.99", 1, 2, [1])); // nobody there
        tun.Inject([0x45, 0, 0]); // garbage

        Assert.True(session.Packets.TryDequeue(out byte[]? got));
        Assert.Equal(TestPackets.Bytes(TestPackets.V4SynAckClamped), got);
        Assert.Equal(1, counters.Get("gateway.tunnel.dropped", "reason", "no_route"));
        Assert.Equal(1, counters.Get("gateway.tunnel.dropped", "reason", "malformed"));
        Assert.Equal(1, counters.Get("gateway.tunnel.packets", "direction", "downlink"));
        Assert.Equal(52, counters.Get("gateway.tunnel.bytes", "direction", "downlink"));

        session.Accept = false;
        Assert.Equal(DispatchResult.Dropped, router.DispatchFromTunnel(TestPackets.Bytes(TestPackets.V4SynAck)));
        Assert.Equal(1, counters.Get("gateway.tunnel.packets", "direction", "downlink"));
    }

    [Fact]
    public void Segments_the_TUN_reader_skips_after_a_refusal_count_as_drops_under_the_refusal_reason()
    {
        using var metrics = new TunnelMetrics();
        using var counters = new MetricCollector(metrics);
        var router = new PacketRouter(metrics, 1400);
        using var tun = new InMemoryTun();
        router.Attach(tun);
        var session = new RecordingSession { Accept = false };
        router.TryRegister(A("10.213.0.2"), session);

        // The refused segment itself is counted by the session's EgressQueue (this test session counts nothing); the
        // 44 that the reader skips after it are counted by the router as queue_full.
        Assert.False(router.DispatchSegment(TestPackets.Bytes(TestPackets.V4SynAck), segmentsAfter: 0));
        Assert.Equal(0, counters.Get("gateway.tunnel.dropped", "reason", "queue_full"));
        Assert.False(router.DispatchSegment(TestPackets.Bytes(TestPackets.V4SynAck), segmentsAfter: 44));
        Assert.Equal(44, counters.Get("gateway.tunnel.dropped", "reason", "queue_full"));

        // A super-packet toward an address without a session: the first and the 3 skipped after it are no_route.
        Assert.False(router.DispatchSegment(TestPackets.Udp4("10.213.1.1", "10.213.0.99", 1, 2, [1]), segmentsAfter: 3));
        Assert.Equal(4, counters.Get("gateway.tunnel.dropped", "reason", "no_route"));
        Assert.Equal(44, counters.Get("gateway.tunnel.dropped", "reason", "queue_full"));
    }

    [Fact]
    public void A_super_packet_is_admitted_by_its_session_and_counted_whole_without_one()
    {
        using var metrics = new TunnelMetrics();
        using var counters = new MetricCollector(metrics);
        var router = new PacketRouter(metrics, 1400);
        using var full = new EgressQueue(new EgressQueueOptions { MaxBytes = 2000, FlowQueues = 1 }, metrics);
        router.TryRegister(A("10.213.0.2"), full);
        byte[] superPacket = TestPackets.Udp4("10.213.1.1", "10.213.0.2", 1, 2, new byte[1372 * 3]);

        Assert.True(router.AdmitSuperPacket(superPacket, 1400, 3));
        Assert.True(full.TryEnqueue(new byte[1400], 0));
        Assert.False(router.AdmitSuperPacket(superPacket, 1400, 3)); // 1400 more would pass the 2000-byte bound
        Assert.Equal(3, counters.Get("gateway.tunnel.dropped", "reason", "queue_full"));
        Assert.Equal(3, full.DroppedFull);

        byte[] nowhere = TestPackets.Udp4("10.213.1.1", "10.213.0.99", 1, 2, new byte[1372 * 5]);
        Assert.False(router.AdmitSuperPacket(nowhere, 1400, 5));
        Assert.Equal(5, counters.Get("gateway.tunnel.dropped", "reason", "no_route"));
        Assert.True(router.AdmitSuperPacket(new byte[] { 0x45, 0 }, 1400, 5)); // unparsable: left to the segments
        Assert.Equal(1, full.Count);
    }

    [Fact]
    public void Downlink_trailing_bytes_are_trimmed_and_ipv6_is_routed()
    {
        using var metrics = new TunnelMetrics();
        var router = new PacketRouter(metrics, 1400);
        var session = new RecordingSession();
        router.TryRegister(TestPackets.V6("fd00:213::2"), 128, session);
        byte[] packet = [.. TestPackets.Bytes(TestPackets.V6SynAck), 0xEE, 0xEE];
        Assert.Equal(DispatchResult.Forwarded, router.DispatchFromTunnel(packet));
        Assert.True(session.Packets.TryDequeue(out byte[]? got));
        Assert.Equal(TestPackets.Bytes(TestPackets.V6SynAckClamped), got);
    }

    [Fact]
    public void Uplink_through_a_coalescer_counts_every_packet_and_one_TUN_write_per_super_packet()
    {
        using var metrics = new TunnelMetrics();
        using var counters = new MetricCollector(metrics);
        var router = new PacketRouter(metrics, 1400);
        using var tun = new InMemoryTun { SupportsSuperPackets = true };
        router.Attach(tun);
        var coalescer = new UplinkCoalescer();
        var client = new SessionAddresses(A("10.213.0.2"));
        for (int i = 0; i < 5; i++)
        {
            byte[] datagram = UdpDatagrams.Build("10.213.0.2", "10.213.1.1", 5000, 9000, UdpDatagrams.Payload(i, 1000));
            Assert.Equal(DispatchResult.Forwarded, router.SendToTunnel(client, datagram, coalescer));
        }
        Assert.Equal(0, counters.Get("gateway.tunnel.tun_writes", "direction", "uplink"));
        router.FlushToTunnel(coalescer);
        router.SendToTunnel(client, TestPackets.Udp4("10.213.0.2", "10.213.1.1", 1, 2, [1]));

        Assert.Equal(6, counters.Get("gateway.tunnel.packets", "direction", "uplink"));
        Assert.Equal(2, counters.Get("gateway.tunnel.tun_writes", "direction", "uplink"));
        Assert.Single(tun.SuperPacketWrites);
    }

    [Fact]
    public async Task Uplink_validates_source_clamps_and_writes()
    {
        using var metrics = new TunnelMetrics();
        using var counters = new MetricCollector(metrics);
        var router = new PacketRouter(metrics, 1400);
        using var tun = new InMemoryTun();
        router.Attach(tun);
        var me = new SessionAddresses(A("10.213.0.2"));

        Assert.Equal(DispatchResult.Forwarded, router.SendToTunnel(me, TestPackets.Bytes(TestPackets.V4Syn)));
        Assert.Equal(TestPackets.Bytes(TestPackets.V4SynClamped), await tun.ReadWrittenAsync());

        // Source 10.213.1.1 is not ours.
        Assert.Equal(DispatchResult.Spoofed, router.SendToTunnel(me, TestPackets.Bytes(TestPackets.V4SynAck)));
        // IPv6 from a session without IPv6.
        Assert.Equal(DispatchResult.Spoofed, router.SendToTunnel(me, TestPackets.Bytes(TestPackets.V6Syn)));
        Assert.Equal(DispatchResult.Malformed, router.SendToTunnel(me, new byte[] { 0x45, 0x00 }));
        Assert.False(tun.TryReadWritten(out _));

        tun.FailWrites = true;
        Assert.Equal(DispatchResult.Dropped, router.SendToTunnel(me, TestPackets.Bytes(TestPackets.V4Ack)));

        Assert.Equal(2, counters.Get("gateway.tunnel.dropped", "reason", "spoofed"));
        Assert.Equal(1, counters.Get("gateway.tunnel.dropped", "reason", "malformed"));
        Assert.Equal(1, counters.Get("gateway.tunnel.dropped", "reason", "tun_write_failed"));
        Assert.Equal(1, counters.Get("gateway.tunnel.packets", "direction", "uplink"));
        Assert.Equal(60, counters.Get("gateway.tunnel.bytes", "direction", "uplink"));
    }

    [Fact]
    public async Task Ipv6_uplink_comes_from_the_64_and_link_local_traffic_stays_with_the_gateway()
    {
        using var metrics = new TunnelMetrics();
        using var counters = new MetricCollector(metrics);
        var router = new PacketRouter(metrics, 1400);
        using var tun = new InMemoryTun();
        router.Attach(tun);
        var me = new SessionAddresses(A("10.213.0.2"), TestPackets.V6("fd53:5354:5000:7::"), 64);

        byte[] fromPrefix = TestPackets.Udp6("fd53:5354:5000:7:aaaa::1", "2001:db8::1", 10);
        Assert.Equal(DispatchResult.Forwarded, router.SendToTunnel(me, fromPrefix));
        Assert.Equal(fromPrefix, await tun.ReadWrittenAsync());

        // Another /64 of the pool, and a link-local source toward a global address: spoofed (RFC 4291 2.5.6).
        Assert.Equal(DispatchResult.Spoofed, router.SendToTunnel(me, TestPackets.Udp6("fd53:5354:5000:8::1", "2001:db8::1", 10)));
        Assert.Equal(DispatchResult.Spoofed, router.SendToTunnel(me, TestPackets.Udp6("fe80::2", "2001:db8::1", 10)));
        // Link-local or unspecified sources to link-local or multicast destinations are for the gateway, never the TUN.
        Assert.Equal(DispatchResult.ForGateway, router.SendToTunnel(me, TestPackets.Udp6("fe80::2", "ff02::2", 10)));
        Assert.Equal(DispatchResult.ForGateway, router.SendToTunnel(me, TestPackets.Udp6("::", "ff02::1:ff00:2", 10)));
        Assert.Equal(DispatchResult.ForGateway, router.SendToTunnel(me, TestPackets.Udp6("fd53:5354:5000:7::1", "fe80::1", 10)));
        Assert.False(tun.TryReadWritten(out _));

        Assert.Equal(2, counters.Get("gateway.tunnel.dropped", "reason", "spoofed"));
        Assert.Equal(3, counters.Get("gateway.tunnel.dropped", "reason", "link_local"));
        Assert.Equal(1, counters.Get("gateway.tunnel.packets", "direction", "uplink"));

        // Downlink to any address of the /64 reaches the session.
        var session = new RecordingSession();
        Assert.True(router.TryRegister(me, session));
        Assert.Equal(DispatchResult.Forwarded, router.DispatchFromTunnel(TestPackets.Udp6("2001:db8::1", "fd53:5354:5000:7:1:2:3:4", 10)));
        Assert.Equal(DispatchResult.NoRoute, router.DispatchFromTunnel(TestPackets.Udp6("2001:db8::1", "fd53:5354:5000:8::1", 10)));
    }

    [Fact]
    public async Task Concurrent_register_lookup_unregister()
    {
        using var metrics = new TunnelMetrics();
        var router = new PacketRouter(metrics, 1400);
        var sessions = Enumerable.Range(0, 4).Select(_ => new RecordingSession()).ToArray();
        using var stop = new CancellationTokenSource();
        int wrongOwner = 0;
        // Readers: any session found for an address must be the worker that owns that address range.
        Task[] readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var random = new Random();
            while (!stop.IsCancellationRequested)
            {
                int worker = random.Next(4);
                uint a = A("10.213.16.0") + (uint)(worker * 1000 + random.Next(1000));
                ITunnelSession? s = router.Lookup(a);
                if (s is not null && s != sessions[worker])
                {
                    Interlocked.Increment(ref wrongOwner);
                }
            }
        })).ToArray();
        Parallel.For(0, 4, worker =>
        {
            uint baseAddress = A("10.213.16.0") + (uint)(worker * 1000);
            for (int round = 0; round < 20; round++)
            {
                for (uint i = 0; i < 1000; i++)
                {
                    Assert.True(router.TryRegister(baseAddress + i, sessions[worker]));
                }
                for (uint i = 0; i < 1000; i += 2)
                {
                    Assert.True(router.Unregister(baseAddress + i, sessions[worker]));
                }
                for (uint i = 1; i < 1000; i += 2)
                {
                    Assert.True(router.Unregister(baseAddress + i, sessions[worker]));
                }
            }
            for (uint i = 0; i < 500; i++)
            {
                Assert.True(router.TryRegister(baseAddress + i, sessions[worker]));
            }
        });
        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.Equal(0, wrongOwner);
        Assert.Equal(2000, router.Ipv4RouteCount);
    }
}
