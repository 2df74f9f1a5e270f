using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

/// <summary>Real /dev/net/tun devices, each in its own throw-away network namespace (needs root).</summary>
public class TunDeviceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_packets_the_kernel_routes_into_the_tunnel(bool offload)
    {
        using var ns = new TestNetns();
        using var tun = TunDevice.Create(TestNetns.DeviceName(), 1400, 1, "10.213.7.1/24", ns.Name, offload: offload);
        Assert.Equal(offload, tun.Offloads != TunOffloads.None);
        var received = new BlockingCollection<byte[]>();
        tun.Start(packet =>
        {
            if (IpPacket.TryParse(packet, out IpHeader h) == IpParseStatus.Ok && h.IsIpv4 && h.Protocol == IpPacket.ProtocolUdp)
            {
                received.Add(packet.ToArray());
            }
        });
        using Socket socket = ns.CreateSocket(SocketType.Dgram, ProtocolType.Udp);
        byte[] payload = Encoding.ASCII.GetBytes("hello through the tun");
        socket.SendTo(payload, new IPEndPoint(IPAddress.Parse("10.213.7.2"), 9000));

        Assert.True(received.TryTake(out byte[]? packet, Wait), "no packet came out of the TUN device");
        Assert.Equal(IpParseStatus.Ok, IpPacket.TryParse(packet, out IpHeader header));
        Assert.Equal(TestPackets.V4("10.213.7.1"), header.SourceV4);
        Assert.Equal(TestPackets.V4("10.213.7.2"), header.DestinationV4);
        Assert.Equal(28 + payload.Length, header.TotalLength);
        Assert.Equal(9000, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(22)));
        Assert.Equal(payload, packet[28..]);
        Assert.True(TestPackets.ChecksumsValid(packet));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Writes_packets_the_kernel_delivers_to_a_socket(bool offload)
    {
        using var ns = new TestNetns();
        using var tun = TunDevice.Create(TestNetns.DeviceName(), 1400, 1, "10.213.7.1/24", ns.Name, offload: offload);
        Assert.Equal(offload, tun.Offloads != TunOffloads.None);
        tun.Start(_ => { });
        using Socket socket = ns.CreateSocket(SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse("10.213.7.1"), 9001));
        socket.ReceiveTimeout = (int)Wait.TotalMilliseconds;

        byte[] payload = Encoding.ASCII.GetBytes("from the client side");
        Assert.True(tun.Write(TestPackets.Udp4("10.213.7.2", "10.213.7.1", 5555, 9001, payload)));

        byte[] buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        int n = socket.ReceiveFrom(buffer, ref from);
        Assert.Equal(payload, buffer[..n]);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.213.7.2"), 5555), from);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Ping_is_answered_by_an_echo_responder_on_the_device(bool offload)
    {
        TestNetns.EnsureTool("ping", "iputils-ping");
        using var ns = new TestNetns();
        ITunDevice? device = null;
        using var tun = TunDevice.Create(TestNetns.DeviceName(), 1400, 1, "10.213.7.1/24", ns.Name, offload: offload);
        device = tun;
        int answered = 0;
        tun.Start(packet =>
        {
            // ICMP echo request (RFC 792 type 8) to 10.213.7.2: swap the addresses (the IP checksum is unchanged by a
            // swap), turn it into an echo reply (type 0) and fix the ICMP checksum incrementally (RFC 1624).
            if (IpPacket.TryParse(packet, out IpHeader h) != IpParseStatus.Ok || !h.IsIpv4
                || h.Protocol != IpPacket.ProtocolIcmp || h.DestinationV4 != TestPackets.V4("10.213.7.2")
                || packet[h.HeaderLength] != 8)
            {
                return;
            }
            Span<byte> ip = packet[..h.TotalLength];
            BinaryPrimitives.WriteUInt32BigEndian(ip[12..], h.DestinationV4);
            BinaryPrimitives.WriteUInt32BigEndian(ip[16..], h.SourceV4);
            Span<byte> icmp = ip[h.HeaderLength..];
            ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(icmp);
            icmp[0] = 0;
            ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(icmp[2..]);
            BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], InternetChecksum.Update(checksum, oldWord, BinaryPrimitives.ReadUInt16BigEndian(icmp)));
            if (device.Write(ip))
            {
                Interlocked.Increment(ref answered);
            }
        });

        (int exit, string stdout, string stderr) = ns.Exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.213.7.2");
        Assert.True(exit == 0, $"ping failed ({exit}): {stdout} {stderr}");
        Assert.Contains("3 received", stdout);
        Assert.Equal(3, Volatile.Read(ref answered));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Multi_queue_device_with_a_kernel_chosen_name(bool offload)
    {
        using var ns = new TestNetns();
        using var tun = TunDevice.Create("gwtq%d", 1280, 2, "10.213.8.1/24", ns.Name, offload: offload);
        Assert.Matches("^gwtq[0-9]+$", tun.Name);
        Assert.Equal(2, tun.QueueCount);
        (int exit, string link, _) = HostCommand.TryRun("ip", "-n", ns.Name, "link", "show", "dev", tun.Name);
        Assert.Equal(0, exit);
        Assert.Contains("mtu 1280", link);
        Assert.Contains("UP", link);
        Assert.Contains("10.213.8.1/24", HostCommand.Run("ip", "-n", ns.Name, "-4", "addr", "show", "dev", tun.Name));

        var ports = new ConcurrentDictionary<int, int>();
        var threads = new ConcurrentDictionary<string, byte>();
        tun.Start(packet =>
        {
            if (IpPacket.TryParse(packet, out IpHeader h) == IpParseStatus.Ok && h.IsIpv4 && h.Protocol == IpPacket.ProtocolUdp)
            {
                ports.TryAdd(BinaryPrimitives.ReadUInt16BigEndian(packet[20..]), 0);
                threads.TryAdd(Thread.CurrentThread.Name ?? "", 0);
            }
        });
        // 32 flows (different source ports) are spread over the queues by the kernel's flow hash.
        var sockets = Enumerable.Range(0, 32).Select(_ => ns.CreateSocket(SocketType.Dgram, ProtocolType.Udp)).ToList();
        try
        {
            foreach (Socket s in sockets)
            {
                s.SendTo([1, 2, 3], new IPEndPoint(IPAddress.Parse("10.213.8.2"), 9000));
            }
            DateTime deadline = DateTime.UtcNow + Wait;
            while (ports.Count < 32 && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(10);
            }
            Assert.Equal(32, ports.Count);
            Assert.All(threads.Keys, name => Assert.StartsWith("tun " + tun.Name + "/", name));
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public void Dispose_stops_readers_and_deletes_the_device()
    {
        using var ns = new TestNetns();
        string name = TestNetns.DeviceName();
        var tun = TunDevice.Create(name, 1400, 2, "10.213.9.1/24", ns.Name);
        tun.Start(_ => { });
        Assert.Equal(0, HostCommand.TryRun("ip", "-n", ns.Name, "link", "show", "dev", name).ExitCode);
        tun.Dispose();
        Assert.NotEqual(0, HostCommand.TryRun("ip", "-n", ns.Name, "link", "show", "dev", name).ExitCode);
        Assert.False(tun.Write(TestPackets.Udp4("10.213.9.2", "10.213.9.1", 1, 2, [1])));
        tun.Dispose(); // idempotent
    }

    [Fact]
    public void Failed_configuration_leaves_nothing_behind()
    {
        using var ns = new TestNetns();
        string name = TestNetns.DeviceName();
        Assert.Throws<HostCommandException>(() => TunDevice.Create(name, 1400, 1, "not-an-address/24", ns.Name));
        Assert.NotEqual(0, HostCommand.TryRun("ip", "-n", ns.Name, "link", "show", "dev", name).ExitCode);
        Assert.Throws<IOException>(() => TunDevice.Create(name, 1400, 1, null, "gwtest-tun-does-not-exist"));
        Assert.Throws<ArgumentException>(() => TunDevice.Create("a-name-that-is-too-long", 1400, 1, null, ns.Name));
    }

    [Fact]
    public async Task Router_end_to_end_over_a_real_device()
    {
        using var ns = new TestNetns();
        // The device MTU is 1500 but the tunnel MTU is 1400, so the kernel's SYN (MSS 1460) must be clamped to 1360.
        using var tun = TunDevice.Create(TestNetns.DeviceName(), 1500, 1, "10.213.10.1/24", ns.Name);
        using var metrics = new TunnelMetrics();
        var router = new PacketRouter(metrics, 1400);
        using var queue = new EgressQueue(metrics: metrics);
        var addresses = new SessionAddresses(TestPackets.V4("10.213.10.2"));
        Assert.True(router.TryRegister(addresses, queue));
        router.Attach(tun);

        // Downlink: a TCP SYN from the host to the client's address lands in the session queue, clamped.
        using Socket tcp = ns.CreateSocket(SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(Wait);
        _ = tcp.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.213.10.2"), 443), cts.Token).AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.True(await queue.WaitToReadAsync(cts.Token));
        Assert.True(queue.TryDequeue(out EgressPacket syn));
        byte[] packet = syn.Span.ToArray();
        syn.Return();
        Assert.Equal(IpPacket.ProtocolTcp, packet[9]);
        Assert.Equal(0x02, packet[33] & 0x12); // SYN without ACK
        Assert.Equal(0x02, packet[40]); // first option: MSS (Linux puts it first)
        Assert.Equal(1360, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(42)));
        Assert.True(TestPackets.ChecksumsValid(packet));

        // Uplink: a UDP packet from the client reaches a socket on the host; a spoofed one does not.
        using Socket udp = ns.CreateSocket(SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Parse("10.213.10.1"), 7001));
        udp.ReceiveTimeout = (int)Wait.TotalMilliseconds;
        Assert.Equal(DispatchResult.Spoofed,
            router.SendToTunnel(addresses, TestPackets.Udp4("10.213.10.3", "10.213.10.1", 4000, 7001, [6, 6, 6])));
        Assert.Equal(DispatchResult.Forwarded,
            router.SendToTunnel(addresses, TestPackets.Udp4("10.213.10.2", "10.213.10.1", 4000, 7001, [7, 7, 7])));
        byte[] buffer = new byte[100];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        int n = udp.ReceiveFrom(buffer, ref from);
        Assert.Equal(new byte[] { 7, 7, 7 }, buffer[..n]); // the spoofed [6,6,6] never arrived first
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.213.10.2"), 4000), from);
    }
}
