using System.Buffers.Binary;
using Gateway.Tests.Infrastructure;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

public class Ipv6RouterDiscoveryTests
{
    private static readonly UInt128 GatewayLinkLocal = TestPackets.V6("fe80::1122:3344:5566:7788");

    // Hand-assembled from RFC 4861 4.2 / 4.6.2 / 4.6.4 and RFC 8106 5.1; "cccc" is the checksum, checked separately.
    private const string ExpectedAdvertisement =
        "60000000" + "0050" + "3a" + "ff"                                     // IPv6: payload 80, ICMPv6, hop limit 255
        + "fe800000000000001122334455667788"                                  // source: the gateway's link-local
        + "ff020000000000000000000000000001"                                  // destination: all-nodes
        + "8600" + "cccc" + "40" + "00" + "0708" + "00000000" + "00000000"    // RA: hop limit 64, M=O=0, lifetime 1800 s
        + "0304" + "40" + "c0" + "00278d00" + "00093a80" + "00000000"         // PIO: /64, L=1 A=1, 30 d valid, 7 d preferred
        + "fd535354500000070000000000000000"
        + "0501" + "0000" + "00000578"                                        // MTU 1400
        + "1903" + "0000" + "00000708" + "fd530000000000000000000000000053";  // RDNSS, 1800 s, fd53::53

    private static byte[] Advertisement(Ipv6RouterSettings? settings = null)
    {
        settings ??= new Ipv6RouterSettings(1400, ["fd53::53"], TimeSpan.FromMinutes(10));
        byte[] buffer = new byte[Ipv6RouterDiscovery.MaxAdvertisementLength];
        int length = Ipv6RouterDiscovery.WriteRouterAdvertisement(buffer, GatewayLinkLocal, Ipv6RouterDiscovery.AllNodes,
            TestPackets.V6("fd53:5354:5000:7::"), settings);
        return buffer[..length];
    }

    /// <summary>RFC 4443 2.3 with the naive RFC 1071 sum: pseudo-header (RFC 8200 8.1) plus the ICMPv6 message.</summary>
    private static ushort NaiveIcmpv6Checksum(byte[] packet)
    {
        byte[] icmp = packet[40..];
        icmp[2] = icmp[3] = 0;
        byte[] pseudo = new byte[40];
        packet.AsSpan(8, 32).CopyTo(pseudo);
        BinaryPrimitives.WriteUInt32BigEndian(pseudo.AsSpan(32), (uint)icmp.Length);
        pseudo[39] = 58;
        return (ushort)~TestPackets.NaiveSum(pseudo, icmp);
    }

    private static byte[] Solicitation(string source, string destination = "ff02::2", byte hopLimit = 255, byte[]? options = null)
    {
        options ??= [];
        byte[] p = new byte[40 + 8 + options.Length];
        p[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), (ushort)(8 + options.Length));
        p[6] = 58;
        p[7] = hopLimit;
        BinaryPrimitives.WriteUInt128BigEndian(p.AsSpan(8), TestPackets.V6(source));
        BinaryPrimitives.WriteUInt128BigEndian(p.AsSpan(24), TestPackets.V6(destination));
        p[40] = 133;
        options.CopyTo(p, 48);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(42), NaiveIcmpv6Checksum(p));
        return p;
    }

    private static bool IsSolicitation(byte[] packet)
    {
        Assert.Equal(IpParseStatus.Ok, IpPacket.TryParse(packet, out IpHeader header));
        return Ipv6RouterDiscovery.IsRouterSolicitation(packet, header);
    }

    [Fact]
    public void Advertisement_matches_the_hand_assembled_bytes_and_its_checksum_verifies()
    {
        byte[] ra = Advertisement();
        string hex = Convert.ToHexStringLower(ra);
        Assert.Equal(ExpectedAdvertisement, hex[..84] + "cccc" + hex[88..]);
        Assert.Equal(NaiveIcmpv6Checksum(ra), BinaryPrimitives.ReadUInt16BigEndian(ra.AsSpan(42)));
        Assert.True(TestPackets.ChecksumsValid(ra));
    }

    [Fact]
    public void Advertisement_without_dns_servers_has_no_rdnss_option()
    {
        byte[] ra = Advertisement(new Ipv6RouterSettings(1280));
        Assert.Equal(40 + 16 + 32 + 8, ra.Length);
        Assert.Equal(56, BinaryPrimitives.ReadUInt16BigEndian(ra.AsSpan(4)));
        Assert.Equal(1280u, BinaryPrimitives.ReadUInt32BigEndian(ra.AsSpan(92)));
        Assert.Equal(NaiveIcmpv6Checksum(ra), BinaryPrimitives.ReadUInt16BigEndian(ra.AsSpan(42)));
    }

    [Fact]
    public void Tcpdump_decodes_the_advertisement_with_a_good_checksum()
    {
        Tools.Require("tcpdump", "tcpdump");
        byte[] ra = Advertisement();
        string pcap = Path.Combine(Path.GetTempPath(), $"ipv6-ra-{Guid.NewGuid():N}.pcap");
        try
        {
            // pcap file header (LINKTYPE_IPV6 = 229) and one record.
            byte[] file = new byte[24 + 16 + ra.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(file, 0xA1B2C3D4);
            BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(4), 2);
            BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(6), 4);
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(16), 65535);
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(20), 229);
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(32), (uint)ra.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(36), (uint)ra.Length);
            ra.CopyTo(file, 40);
            File.WriteAllBytes(pcap, file);

            Sh.Result r = Sh.Run("tcpdump", "-nn", "-vv", "-r", pcap);
            Assert.True(r.ExitCode == 0, r.StdErr);
            Assert.Contains("router advertisement", r.StdOut);
            Assert.Contains("hop limit 64", r.StdOut);
            Assert.Contains("router lifetime 1800s", r.StdOut);
            Assert.Contains("fd53:5354:5000:7::/64", r.StdOut);
            Assert.Contains("valid time 2592000s", r.StdOut);
            Assert.Contains("mtu option", r.StdOut);
            Assert.Contains("1400", r.StdOut);
            Assert.Contains("fd53::53", r.StdOut);
            Assert.DoesNotContain("bad", r.StdOut);
        }
        finally
        {
            File.Delete(pcap);
        }
    }

    [Fact]
    public void A_client_reads_the_advertised_prefix_back()
    {
        byte[] ra = Advertisement();
        Assert.Equal(IpParseStatus.Ok, IpPacket.TryParse(ra, out IpHeader header));
        Assert.True(Ipv6RouterDiscovery.TryReadAutonomousPrefix(ra, header, out UInt128 prefix, out uint valid));
        Assert.Equal(TestPackets.V6("fd53:5354:5000:7::"), prefix);
        Assert.Equal(2_592_000u, valid);

        // A corrupted checksum or hop limit makes it invalid (RFC 4861 6.1.2).
        byte[] bad = (byte[])ra.Clone();
        bad[^1] ^= 1;
        Assert.False(Ipv6RouterDiscovery.TryReadAutonomousPrefix(bad, header, out _, out _));
        bad = (byte[])ra.Clone();
        bad[7] = 64;
        Assert.False(Ipv6RouterDiscovery.TryReadAutonomousPrefix(bad, header, out _, out _));
    }

    [Fact]
    public void Router_solicitations_are_validated_per_rfc_4861_6_1_1()
    {
        // Source link-layer address option (type 1, length 1 = 8 bytes); PPP has no link-layer address but a client may send one.
        byte[] slla = [1, 1, 0, 0, 0, 0, 0, 0];
        Assert.True(IsSolicitation(Solicitation("fe80::2")));
        Assert.True(IsSolicitation(Solicitation("fe80::2", "fe80::1122:3344:5566:7788", options: slla)));
        Assert.True(IsSolicitation(Solicitation("::")));
        Assert.False(IsSolicitation(Solicitation("::", options: slla)));
        Assert.False(IsSolicitation(Solicitation("fe80::2", hopLimit: 64)));
        Assert.False(IsSolicitation(Solicitation("fe80::2", options: [3, 0, 0, 0, 0, 0, 0, 0])));

        byte[] badSum = Solicitation("fe80::2");
        badSum[43] ^= 0xFF;
        Assert.False(IsSolicitation(badSum));
        byte[] code1 = Solicitation("fe80::2");
        code1[41] = 1;
        Assert.False(IsSolicitation(code1));
        Assert.False(IsSolicitation(Advertisement()));
    }

    [Fact]
    public void The_clients_solicitation_is_the_hand_built_one_and_passes_validation()
    {
        byte[] rs = new byte[Ipv6RouterDiscovery.SolicitationLength];
        Ipv6RouterDiscovery.WriteRouterSolicitation(rs, TestPackets.V6("fe80::2"));
        Assert.Equal(Solicitation("fe80::2"), rs);
        Assert.True(IsSolicitation(rs));
    }

    [Fact]
    public void Link_local_and_multicast_destinations_are_for_the_gateway()
    {
        Assert.True(Ipv6RouterDiscovery.IsForGateway(TestPackets.V6("fe80::1")));
        Assert.True(Ipv6RouterDiscovery.IsForGateway(TestPackets.V6("febf::1")));
        Assert.True(Ipv6RouterDiscovery.IsForGateway(TestPackets.V6("ff02::2")));
        Assert.True(Ipv6RouterDiscovery.IsForGateway(TestPackets.V6("ff0e::1")));
        Assert.False(Ipv6RouterDiscovery.IsForGateway(TestPackets.V6("fec0::1")));
        Assert.False(Ipv6RouterDiscovery.IsForGateway(TestPackets.V6("2001:db8::1")));
        Assert.Equal(TestPackets.V6("fe80::1122:3344:5566:7788"), Ipv6RouterDiscovery.LinkLocal(0x1122334455667788));
    }
}
