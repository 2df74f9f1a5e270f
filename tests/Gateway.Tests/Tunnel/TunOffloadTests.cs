using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gateway.Tests.Infrastructure;
using Gateway.Tunnel;
using Xunit.Abstractions;

namespace Gateway.Tests.Tunnel;

/// <summary>
/// A real TUN device with IFF_VNET_HDR and offloads (needs root): the kernel hands it GSO super-packets, which must
/// come out of the device as correct ordinary packets, and writes (with their virtio header) must still be delivered.
/// </summary>
public class TunOffloadTests(ITestOutputHelper output)
{
    private const int SolUdp = 17;
    private const int UdpSegment = 103; // linux/udp.h UDP_SEGMENT
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public void Kernel_accepts_checksum_and_segmentation_offloads()
    {
        using var ns = new TestNetns();
        using var tun = TunDevice.Create(TestNetns.DeviceName(), 1400, 2, "10.213.30.1/24", ns.Name, offload: true);
        // limits.md: this kernel (6.18) accepts CSUM, TSO4/6, TSO_ECN and USO4/6.
        Assert.Equal(TunOffloads.Checksum | TunOffloads.Tso4 | TunOffloads.Tso6 | TunOffloads.TsoEcn
            | TunOffloads.Uso4 | TunOffloads.Uso6, tun.Offloads);
        using var plain = TunDevice.Create(TestNetns.DeviceName(), 1400, 1, "10.213.30.5/24", ns.Name, offload: false);
        Assert.Equal(TunOffloads.None, plain.Offloads);
    }

    [Fact]
    public void Options_switch_offloads_on_by_default_and_off_on_request()
    {
        using var ns = new TestNetns();
        var options = new TunnelOptions { DeviceName = TestNetns.DeviceName(), Ipv4Pool = "10.213.33.0/24", NetworkNamespace = ns.Name };
        using (var on = TunDevice.Create(options))
        {
            Assert.True(on.Offloads.HasFlag(TunOffloads.Checksum | TunOffloads.Tso4 | TunOffloads.Tso6));
            Assert.True(((ITunDevice)on).SupportsSuperPackets);
        }
        options.Offload = false;
        using var off = TunDevice.Create(options);
        Assert.Equal(TunOffloads.None, off.Offloads);
        Assert.False(((ITunDevice)off).SupportsSuperPackets);
    }

    [Fact]
    public void TxQueueLength_sets_the_device_ring_and_0_keeps_the_kernels()
    {
        using var ns = new TestNetns();
        var options = new TunnelOptions { DeviceName = TestNetns.DeviceName(), Ipv4Pool = "10.213.34.0/24", NetworkNamespace = ns.Name };
        using (var kernels = TunDevice.Create(options))
        {
            Assert.Equal("500", TxQueueLength(ns, kernels.Name));
        }

        options.TxQueueLength = 64;
        using var set = TunDevice.Create(options);
        Assert.Equal("64", TxQueueLength(ns, set.Name));
    }

    [Fact]
    public void TxQueueBytes_sizes_the_ring_by_the_bytes_per_read()
    {
        using var ns = new TestNetns();
        var options = new TunnelOptions { DeviceName = TestNetns.DeviceName(), Ipv4Pool = "10.213.36.0/24", NetworkNamespace = ns.Name };
        Assert.Equal(4L * 1024 * 1024, options.TxQueueBytes); // on by default
        using var tun = TunDevice.Create(options);
        Assert.Equal(500, tun.RingLength());
        tun.Start(_ => { });
        using Socket socket = ns.CreateSocket(SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse("10.213.36.1"), 7777));
        var to = new IPEndPoint(IPAddress.Parse("10.213.36.2"), 9000);

        // GSO super-packets of 40 x 1372 B: the ring goes to 4 MiB / ~55 KB per read.
        socket.SetRawSocketOption(SolUdp, UdpSegment, BitConverter.GetBytes(1372));
        byte[] super = new byte[1372 * 40];
        Assert.True(SendUntil(() => socket.SendTo(super, to), () => tun.RingLength() < 500), "the ring was not shrunk");
        int shrunk = tun.RingLength();
        output.WriteLine($"after super-packets: {shrunk} entries, {tun.Reads} reads, {tun.BytesRead} bytes");
        Assert.InRange(shrunk, 70, 80);
        Assert.Equal(shrunk.ToString(System.Globalization.CultureInfo.InvariantCulture), TxQueueLength(ns, tun.Name));

        // Ordinary 1372-B datagrams: 4 MiB would be ~2,970 entries, held to the bound.
        socket.SetRawSocketOption(SolUdp, UdpSegment, BitConverter.GetBytes(0));
        byte[] single = new byte[1372];
        Assert.True(SendUntil(() => socket.SendTo(single, to), () => tun.RingLength() == TunRingSizer.MaxLength),
            $"the ring was not grown ({tun.RingLength()})");
        // Two resizes, or three when a window straddled the switch (a mix of both sizes: a length in between).
        Assert.InRange(tun.RingResizes, 2, 3);
    }

    [Fact]
    public void A_fixed_TxQueueLength_or_no_TxQueueBytes_leaves_the_ring_alone_under_traffic()
    {
        using var ns = new TestNetns();
        foreach ((int length, long bytes, string expected) in new[] { (64, 4L << 20, "64"), (0, 0L, "500") })
        {
            var options = new TunnelOptions
            {
                DeviceName = TestNetns.DeviceName(), Ipv4Pool = "10.213.37.0/24", NetworkNamespace = ns.Name,
                TxQueueLength = length, TxQueueBytes = bytes,
            };
            using var tun = TunDevice.Create(options);
            Assert.Throws<InvalidOperationException>(() => tun.RingLength());
            tun.Start(_ => { });
            using Socket socket = ns.CreateSocket(SocketType.Dgram, ProtocolType.Udp);
            socket.SetRawSocketOption(SolUdp, UdpSegment, BitConverter.GetBytes(1372));
            byte[] super = new byte[1372 * 40];
            var until = System.Diagnostics.Stopwatch.StartNew();
            while (until.Elapsed < TimeSpan.FromSeconds(1.5))
            {
                socket.SendTo(super, new IPEndPoint(IPAddress.Parse("10.213.37.2"), 9000));
                Thread.Sleep(1);
            }
            Assert.True(tun.Reads > 300, $"{tun.Reads} reads");
            Assert.Equal(expected, TxQueueLength(ns, tun.Name));
            Assert.Equal(0, tun.RingResizes);
        }
    }

    /// <summary>Sends (one send per millisecond or so) until <paramref name="done"/> holds; false after 6 s.</summary>
    private static bool SendUntil(Action send, Func<bool> done)
    {
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        while (elapsed.Elapsed < TimeSpan.FromSeconds(6))
        {
            for (int i = 0; i < 4; i++)
            {
                send();
            }
            if (done())
            {
                return true;
            }
            Thread.Sleep(1);
        }
        return false;
    }

    private static string TxQueueLength(TestNetns ns, string device) =>
        HostCommand.Run("ip", "netns", "exec", ns.Name, "cat", $"/sys/class/net/{device}/tx_queue_len").Trim();

    [Fact]
    public void Udp_GSO_send_arrives_as_one_super_packet_and_leaves_as_correct_datagrams()
    {
        using var ns = new TestNetns();
        using var tun = TunDevice.Create(TestNetns.DeviceName(), 1400, 1, "10.213.31.1/24", ns.Name, offload: true);
        var datagrams = new BlockingCollection<byte[]>();
        tun.Start(packet =>
        {
            if (IpPacket.TryParse(packet, out IpHeader h) == IpParseStatus.Ok && h.Protocol == IpPacket.ProtocolUdp
                && BinaryPrimitives.ReadUInt16BigEndian(packet[22..]) == 9000)
            {
                datagrams.Add(packet.ToArray());
            }
        });
        const int gsoSize = 1372;
        const int count = 40;
        byte[] payload = RandomNumberGenerator.GetBytes(gsoSize * count - 500); // the last datagram is shorter
        using Socket socket = ns.CreateSocket(SocketType.Dgram, ProtocolType.Udp);
        socket.SetRawSocketOption(SolUdp, UdpSegment, BitConverter.GetBytes(gsoSize));
        socket.Bind(new IPEndPoint(IPAddress.Parse("10.213.31.1"), 7777));
        Assert.Equal(payload.Length, socket.SendTo(payload, new IPEndPoint(IPAddress.Parse("10.213.31.2"), 9000)));

        var received = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            Assert.True(datagrams.TryTake(out byte[]? d, Wait), $"only {i} of {count} datagrams came out");
            received.Add(d);
        }
        // Other reads (IPv6 router solicitations of the new link) carry one packet each.
        Assert.Equal(1, tun.SuperPackets);
        Assert.Equal(count, tun.PacketsDelivered - (tun.Reads - tun.SuperPackets));
        Assert.Equal(0, tun.MalformedReads);
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            byte[] d = received[i];
            int length = i < count - 1 ? gsoSize : gsoSize - 500;
            Assert.Equal(28 + length, d.Length);
            Assert.Equal(28 + length, BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(2)));
            Assert.Equal(8 + length, BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(24)));
            Assert.Equal(7777, BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(20)));
            Assert.True(TestPackets.ChecksumsValid(d), $"datagram {i}");
            Assert.Equal(payload.AsSpan(offset, length).ToArray(), d[28..]);
            offset += length;
        }
    }

    [Fact]
    public async Task A_refused_segment_drops_the_rest_of_its_super_packet_unsegmented()
    {
        using var ns = new TestNetns();
        using var tun = TunDevice.Create(TestNetns.DeviceName(), 1400, 1, "10.213.34.1/24", ns.Name, offload: true);
        var seen = new BlockingCollection<int>();
        int taken = 0;
        tun.StartDispatch((packet, _) =>
        {
            if (IpPacket.TryParse(packet, out IpHeader h) != IpParseStatus.Ok || h.Protocol != IpPacket.ProtocolUdp
                || BinaryPrimitives.ReadUInt16BigEndian(packet[22..]) != 9000)
            {
                return true;
            }
            // A destination whose queue holds three packets: the fourth is refused.
            bool accept = ++taken <= 3;
            seen.Add(taken);
            return accept;
        });
        const int gsoSize = 1372;
        const int count = 40;
        using Socket socket = GsoSender(ns, "10.213.34.1", gsoSize);
        socket.SendTo(new byte[gsoSize * count], new IPEndPoint(IPAddress.Parse("10.213.34.2"), 9000));

        for (int i = 1; i <= 4; i++)
        {
            Assert.True(seen.TryTake(out int n, Wait), $"segment {i} never came");
            Assert.Equal(i, n);
        }
        Assert.True(await Poll.UntilAsync(() => tun.SegmentsSkipped > 0, Wait));
        Assert.Equal(count - 4, tun.SegmentsSkipped);
        Assert.False(seen.TryTake(out _, TimeSpan.FromMilliseconds(200)), "segments after the refused one were handed over");
        Assert.Equal(1, tun.SuperPackets);
        // With the device's ring empty after a refused read, the reader paused once before polling again (receive
        // livelock under a flood).
        Assert.True(await Poll.UntilAsync(() => tun.FloodPauses == 1, Wait));
    }

    [Fact]
    public async Task A_super_packet_its_session_does_not_admit_is_dropped_whole_before_segmentation()
    {
        using var ns = new TestNetns();
        using var tun = TunDevice.Create(TestNetns.DeviceName(), 1400, 1, "10.213.35.1/24", ns.Name, offload: true);
        var handed = new BlockingCollection<int>();
        var asked = new BlockingCollection<(int Length, int Segments, ushort Port)>();
        tun.StartDispatch((packet, _) =>
        {
            if (IpPacket.TryParse(packet, out IpHeader h) == IpParseStatus.Ok && h.Protocol == IpPacket.ProtocolUdp
                && BinaryPrimitives.ReadUInt16BigEndian(packet[22..]) is 9000 or 9001)
            {
                handed.Add(BinaryPrimitives.ReadUInt16BigEndian(packet[22..]));
            }
            return true;
        }, (superPacket, length, segments) =>
        {
            ushort port = BinaryPrimitives.ReadUInt16BigEndian(superPacket[22..]);
            asked.Add((length, segments, port));
            return port != 9000; // the session behind port 9000 is full
        });
        const int gsoSize = 1372;
        const int count = 40;
        using Socket socket = GsoSender(ns, "10.213.35.1", gsoSize);
        socket.SendTo(new byte[gsoSize * count], new IPEndPoint(IPAddress.Parse("10.213.35.2"), 9000));
        socket.SendTo(new byte[gsoSize * 3], new IPEndPoint(IPAddress.Parse("10.213.35.2"), 9001));

        Assert.True(asked.TryTake(out var first, Wait));
        Assert.Equal((28 + gsoSize, count, (ushort)9000), first);
        Assert.True(asked.TryTake(out var second, Wait));
        Assert.Equal((28 + gsoSize, 3, (ushort)9001), second);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(handed.TryTake(out int port, Wait));
            Assert.Equal(9001, port); // none of the refused super-packet's segments was built
        }
        Assert.Equal(count, tun.SegmentsSkipped);
        Assert.Equal(2, tun.SuperPackets);
        // The read after the refused one was taken, so the reader had no reason to pause (only refusals in a row do).
        await Task.Delay(100);
        Assert.Equal(0, tun.FloodPauses);
    }

    /// <summary>A UDP socket in <paramref name="ns"/> bound to <paramref name="address"/>:7777 whose sends are GSO
    /// super-packets of <paramref name="gsoSize"/>-byte datagrams (UDP_SEGMENT).</summary>
    private static Socket GsoSender(TestNetns ns, string address, int gsoSize)
    {
        Socket socket = ns.CreateSocket(SocketType.Dgram, ProtocolType.Udp);
        socket.SetRawSocketOption(SolUdp, UdpSegment, BitConverter.GetBytes(gsoSize));
        socket.Bind(new IPEndPoint(IPAddress.Parse(address), 7777));
        return socket;
    }

    [Fact]
    public void Udp_GSO_over_IPv6_is_segmented_too()
    {
        using var ns = new TestNetns();
        using var tun = TunDevice.Create(TestNetns.DeviceName(), 1400, 1, null, ns.Name, offload: true);
        HostCommand.Run("ip", "-n", ns.Name, "addr", "add", "fd00:213:34::1/64", "dev", tun.Name, "nodad");
        var datagrams = new BlockingCollection<byte[]>();
        tun.Start(packet =>
        {
            if (IpPacket.TryParse(packet, out IpHeader h) == IpParseStatus.Ok && h.IsIpv6 && h.Protocol == IpPacket.ProtocolUdp
                && BinaryPrimitives.ReadUInt16BigEndian(packet[42..]) == 9000)
            {
                datagrams.Add(packet.ToArray());
            }
        });
        const int gsoSize = 1352;
        const int count = 30;
        byte[] payload = RandomNumberGenerator.GetBytes(gsoSize * count - 100);
        using Socket socket = TunDevice.RunInNamespace(ns.Name, () => new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp));
        socket.SetRawSocketOption(SolUdp, UdpSegment, BitConverter.GetBytes(gsoSize));
        socket.Bind(new IPEndPoint(IPAddress.Parse("fd00:213:34::1"), 7778));
        Assert.Equal(payload.Length, socket.SendTo(payload, new IPEndPoint(IPAddress.Parse("fd00:213:34::2"), 9000)));

        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            Assert.True(datagrams.TryTake(out byte[]? d, Wait), $"only {i} of {count} datagrams came out");
            int length = i < count - 1 ? gsoSize : gsoSize - 100;
            Assert.Equal(48 + length, d.Length);
            Assert.Equal(8 + length, BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(4))); // payload length
            Assert.Equal(8 + length, BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(44))); // UDP length
            Assert.True(TestPackets.ChecksumsValid(d), $"datagram {i}");
            Assert.Equal(payload.AsSpan(offset, length).ToArray(), d[48..]);
            offset += length;
        }
        Assert.True(tun.SuperPackets >= 1);
        Assert.Equal(0, tun.MalformedReads);
    }

    /// <summary>
    /// 24 MB over TCP between two sockets of the namespace, through the device: a reflector on the reader thread turns
    /// every packet for 10.213.32.2 into one from 10.213.32.3 to 10.213.32.1 (and back), and writes it into the device
    /// again. So the data crosses the offloaded read path (super-packets, segmented) and the virtio-header write path,
    /// and the kernel checks every segment's checksums on the way back in.
    /// </summary>
    /// <remarks>With <paramref name="coalesce"/> the reflected segments of each read go through a
    /// <see cref="UplinkCoalescer"/> (flushed when the read is done), so the kernel also takes GSO super-packets written
    /// with a TCPV4 virtio header and a partial checksum.</remarks>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Tcp_transfer_through_the_device_arrives_intact_and_was_read_as_super_packets(bool coalesce)
    {
        using var ns = new TestNetns();
        using var tun = TunDevice.Create(TestNetns.DeviceName(), 1400, 1, "10.213.32.1/24", ns.Name, offload: true);
        uint local = TestPackets.V4("10.213.32.1");
        uint peer = TestPackets.V4("10.213.32.2");
        uint alias = TestPackets.V4("10.213.32.3");
        long reflected = 0;
        var coalescer = new UplinkCoalescer();
        tun.Start(packet =>
        {
            if (IpPacket.TryParse(packet, out IpHeader h) != IpParseStatus.Ok || !h.IsIpv4 || h.Protocol != IpPacket.ProtocolTcp
                || h.SourceV4 != local || (h.DestinationV4 != peer && h.DestinationV4 != alias))
            {
                return;
            }
            Span<byte> ip = packet[..h.TotalLength];
            BinaryPrimitives.WriteUInt32BigEndian(ip[12..], h.DestinationV4 == peer ? alias : peer);
            BinaryPrimitives.WriteUInt32BigEndian(ip[16..], local);
            IpPacket.WriteIpv4HeaderChecksum(ip);
            Span<byte> tcp = ip[h.HeaderLength..];
            tcp[16] = 0;
            tcp[17] = 0;
            ulong sum = IpPacket.PseudoHeaderSum(ip, h, IpPacket.ProtocolTcp, tcp.Length);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], (ushort)~InternetChecksum.Fold(InternetChecksum.Add(sum, tcp)));
            if (coalesce ? coalescer.Add(ip, tun) : tun.Write(ip))
            {
                reflected++;
            }
        }, coalesce ? () => coalescer.Flush(tun) : null);

        byte[] data = RandomNumberGenerator.GetBytes(24 * 1024 * 1024);
        using Socket listener = ns.CreateSocket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Parse("10.213.32.1"), 5001));
        listener.Listen();
        using Socket sender = ns.CreateSocket(SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task<Socket> accept = listener.AcceptAsync(cts.Token).AsTask();
        await sender.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.213.32.2"), 5001), cts.Token);
        using Socket receiver = await accept;
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.213.32.3"), ((IPEndPoint)sender.LocalEndPoint!).Port), receiver.RemoteEndPoint);

        Task send = Task.Run(async () =>
        {
            await sender.SendAsync(data, cts.Token);
            sender.Shutdown(SocketShutdown.Send);
        });
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[256 * 1024];
        long total = 0;
        while (true)
        {
            int n = await receiver.ReceiveAsync(buffer, cts.Token);
            if (n == 0)
            {
                break;
            }
            hash.AppendData(buffer, 0, n);
            total += n;
        }
        await send;

        Assert.Equal(data.Length, total);
        Assert.Equal(SHA256.HashData(data), hash.GetHashAndReset());
        Assert.Equal(0, tun.MalformedReads);
        // Most data left the sender as TSO super-packets: many more packets came out of the device than reads went in.
        long reads = tun.Reads;
        long delivered = tun.PacketsDelivered;
        long superPackets = tun.SuperPackets;
        long segmentsPerSuperPacket = (delivered - (reads - superPackets)) / Math.Max(1, superPackets);
        Assert.True(superPackets > 50 && segmentsPerSuperPacket >= 4,
            $"reads {reads}, super-packets {superPackets}, packets delivered {delivered}");
        Assert.True(delivered > data.Length / 1400, $"only {delivered} packets for {data.Length} bytes");
        output.WriteLine($"reads {reads}, super-packets {superPackets}, packets delivered {delivered}, reflected {Volatile.Read(ref reflected)}");
        if (coalesce)
        {
            // Most reflected data segments went back in as super-packets: far fewer writes than packets.
            output.WriteLine($"coalescer: {coalescer.Packets} packets in {coalescer.Writes} writes");
            Assert.True(coalescer.Writes * 3 < coalescer.Packets, $"{coalescer.Packets} packets in {coalescer.Writes} writes");
        }
    }
}
