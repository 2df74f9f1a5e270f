using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

/// <summary>
/// Uplink UDP GRO against the real kernel (needs root): datagrams merged by <see cref="UplinkCoalescer"/> are written
/// into a TUN device with offloads as one UDP_L4 super-packet. Those for the device's own address must reach a UDP
/// socket one by one, intact; those routed on must leave through a second TUN device without offloads (so the kernel
/// segments them in software and completes every checksum) as the original datagrams with valid checksums.
/// </summary>
public class UdpGroKernelTests
{
    private const int LocalPort = 9100;
    private const int ForwardPort = 9200;
    private const int Count = 20;
    /// <summary>Datagrams of 1400 bytes, the devices' MTU, once the IPv4 or IPv6 and UDP headers are added.</summary>
    private const int PayloadSizeV4 = 1372;
    private const int PayloadSizeV6 = 1352;
    private const int LastPayloadSize = 500;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_UDP_super_packet_written_to_the_device_arrives_as_every_datagram_intact(bool v6)
    {
        using var ns = new TestNetns();
        string local = v6 ? "fd00:213:40::1" : "10.213.40.1";
        string client = v6 ? "fd00:213:40::2" : "10.213.40.2";
        string remote = v6 ? "fd00:213:41::2" : "10.213.41.2";
        using var tun = TunDevice.Create(TestNetns.DeviceName(), 1400, 1, v6 ? null : local + "/24", ns.Name, offload: true);
        using var egress = TunDevice.Create(TestNetns.DeviceName(), 1400, 1, v6 ? null : "10.213.41.1/24", ns.Name, offload: false);
        if (v6)
        {
            HostCommand.Run("ip", "-n", ns.Name, "addr", "add", local + "/64", "dev", tun.Name, "nodad");
            HostCommand.Run("ip", "-n", ns.Name, "addr", "add", "fd00:213:41::1/64", "dev", egress.Name, "nodad");
        }
        Assert.True(tun.Offloads.HasFlag(v6 ? TunOffloads.Uso6 : TunOffloads.Uso4));
        Assert.Equal(0, ns.Exec("sysctl", "-qw", v6 ? "net.ipv6.conf.all.forwarding=1" : "net.ipv4.ip_forward=1").ExitCode);

        var forwarded = new BlockingCollection<byte[]>();
        egress.Start(packet =>
        {
            if (IpPacket.TryParse(packet, out IpHeader h) == IpParseStatus.Ok && h.Protocol == IpPacket.ProtocolUdp
                && BinaryPrimitives.ReadUInt16BigEndian(packet[(h.HeaderLength + 2)..]) == ForwardPort)
            {
                forwarded.Add(packet[..h.TotalLength].ToArray());
            }
        });
        using Socket socket = TunDevice.RunInNamespace(ns.Name, () =>
            new Socket(v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        socket.Bind(new IPEndPoint(IPAddress.Parse(local), LocalPort));
        socket.ReceiveTimeout = (int)Wait.TotalMilliseconds;

        var coalescer = new UplinkCoalescer();
        foreach ((string destination, int port) in new[] { (local, LocalPort), (remote, ForwardPort) })
        {
            for (int i = 0; i < Count; i++)
            {
                byte[] datagram = UdpDatagrams.Build(client, destination, 5000, (ushort)port, Payload(i, v6), id: (ushort)(700 + i));
                Assert.True(coalescer.Add(datagram, tun));
            }
            Assert.True(coalescer.Flush(tun));
        }
        // Two writes, each a super-packet of all 20 datagrams (the short last one ends the first run).
        Assert.Equal(2, coalescer.Writes);
        Assert.Equal(2, coalescer.SuperPackets);

        byte[] buffer = new byte[65536];
        for (int i = 0; i < Count; i++)
        {
            int n = socket.Receive(buffer);
            Assert.Equal(Convert.ToHexString(Payload(i, v6)), Convert.ToHexString(buffer, 0, n));
        }
        socket.ReceiveTimeout = 200;
        Assert.Throws<SocketException>(() => socket.Receive(buffer));

        int header = v6 ? 48 : 28;
        for (int i = 0; i < Count; i++)
        {
            Assert.True(forwarded.TryTake(out byte[]? d, Wait), $"only {i} of {Count} datagrams were forwarded");
            byte[] payload = Payload(i, v6);
            Assert.Equal(header + payload.Length, d.Length);
            Assert.Equal(8 + payload.Length, BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(header - 4)));
            Assert.Equal(5000, BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(header - 8)));
            Assert.True(TestPackets.ChecksumsValid(d), $"datagram {i}: checksum");
            Assert.Equal(Convert.ToHexString(payload), Convert.ToHexString(d, header, payload.Length));
        }
        Assert.False(forwarded.TryTake(out _, TimeSpan.FromMilliseconds(200)));
        Assert.Equal(0, ns.Exec("sysctl", "-qw", v6 ? "net.ipv6.conf.all.forwarding=0" : "net.ipv4.ip_forward=0").ExitCode);
    }

    private static byte[] Payload(int index, bool v6) =>
        UdpDatagrams.Payload(index, index < Count - 1 ? (v6 ? PayloadSizeV6 : PayloadSizeV4) : LastPayloadSize);
}
