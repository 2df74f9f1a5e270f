using System.Net;
using FsCheck.Xunit;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

public class IpPacketTests
{
    [Fact]
    public void Parses_ipv4_tcp()
    {
        byte[] p = TestPackets.Bytes(TestPackets.V4Syn);
        Assert.Equal(IpParseStatus.Ok, IpPacket.TryParse(p, out IpHeader h));
        Assert.Equal(4, h.Version);
        Assert.Equal(20, h.HeaderLength);
        Assert.Equal(60, h.TotalLength);
        Assert.Equal(IpPacket.ProtocolTcp, h.Protocol);
        Assert.Equal(0x0AD50002u, h.SourceV4);
        Assert.Equal(0x0AD50101u, h.DestinationV4);
    }

    [Fact]
    public void Parses_ipv6_tcp()
    {
        byte[] p = TestPackets.Bytes(TestPackets.V6Syn);
        Assert.Equal(IpParseStatus.Ok, IpPacket.TryParse(p, out IpHeader h));
        Assert.Equal(6, h.Version);
        Assert.Equal(40, h.HeaderLength);
        Assert.Equal(80, h.TotalLength);
        Assert.Equal(IpPacket.ProtocolTcp, h.Protocol);
        Assert.Equal(TestPackets.V6("fd00:213::2"), h.Source);
        Assert.Equal(TestPackets.V6("fd00:213:1::1"), h.Destination);
        Assert.Equal(0u, h.SourceV4);
    }

    [Fact]
    public void Trailing_bytes_after_total_length_are_allowed_and_excluded()
    {
        byte[] p = [.. TestPackets.Bytes(TestPackets.V4Ack), 0, 0, 0];
        Assert.Equal(IpParseStatus.Ok, IpPacket.TryParse(p, out IpHeader h));
        Assert.Equal(45, h.TotalLength);
    }

    [Theory]
    [InlineData("", IpParseStatus.Empty)]
    [InlineData("45", IpParseStatus.TruncatedHeader)]
    [InlineData("00000000000000000000000000000000000000000000", IpParseStatus.UnsupportedVersion)]
    [InlineData("4400001400000000400600000ad500020ad50101", IpParseStatus.BadHeaderLength)] // IHL 4
    [InlineData("4600001800000000400600000ad500020ad50101", IpParseStatus.BadHeaderLength)] // IHL 6, 20 bytes
    [InlineData("4500001300000000400600000ad500020ad50101", IpParseStatus.BadTotalLength)] // total 19 < 20
    [InlineData("4500001500000000400600000ad500020ad50101", IpParseStatus.BadTotalLength)] // total 21 > 20
    [InlineData("60000000", IpParseStatus.TruncatedHeader)]
    public void Rejects_malformed(string hex, IpParseStatus expected)
    {
        Assert.Equal(expected, IpPacket.TryParse(Convert.FromHexString(hex), out _));
    }

    [Fact]
    public void Rejects_ipv6_payload_past_buffer_and_jumbogram()
    {
        byte[] p = TestPackets.Bytes(TestPackets.V6Syn);
        Assert.Equal(IpParseStatus.BadTotalLength, IpPacket.TryParse(p.AsSpan(0, p.Length - 1), out _));
        p[4] = 0;
        p[5] = 0;
        Assert.Equal(IpParseStatus.BadTotalLength, IpPacket.TryParse(p, out _));
    }

    [Property(MaxTest = 2000)]
    public bool Never_throws_and_ok_means_in_bounds(byte[] data)
    {
        data ??= [];
        IpParseStatus status = IpPacket.TryParse(data, out IpHeader h);
        return status != IpParseStatus.Ok
            || (h.HeaderLength <= h.TotalLength && h.TotalLength <= data.Length && (h.Version is 4 or 6));
    }

    [Property(MaxTest = 2000)]
    public bool Never_throws_with_ip_like_prefix(byte[] tail, bool v6, byte lengthHigh, byte lengthLow)
    {
        // Garbage that starts like a header, so the length checks are exercised, not only the version check.
        tail ??= [];
        byte[] data = v6 ? [0x60, 0, 0, 0, lengthHigh, lengthLow, .. tail] : [0x45, 0, lengthHigh, lengthLow, .. tail];
        IpParseStatus status = IpPacket.TryParse(data, out IpHeader h);
        TcpMssClamp.Clamp(data, 1400);
        return status != IpParseStatus.Ok || h.TotalLength <= data.Length;
    }

    [Fact]
    public void Address_conversions_round_trip()
    {
        Assert.Equal(0x0AD50001u, IpPacket.ToUInt32(IPAddress.Parse("10.213.0.1")));
        Assert.Equal("10.213.0.1", IpPacket.ToIPAddress(0x0AD50001u).ToString());
        UInt128 v6 = IpPacket.ToUInt128(IPAddress.Parse("fd00:213::1"));
        Assert.Equal(new UInt128(0xfd00_0213_0000_0000, 1), v6);
        Assert.Equal("fd00:213::1", IpPacket.ToIPAddress(v6).ToString());
        Assert.Throws<ArgumentException>(() => IpPacket.ToUInt32(IPAddress.IPv6Loopback));
    }

    [Fact]
    public void Writes_ipv4_header_checksum()
    {
        byte[] p = TestPackets.Bytes(TestPackets.V4Syn);
        p[10] = 0xAA;
        p[11] = 0xBB;
        IpPacket.WriteIpv4HeaderChecksum(p);
        Assert.Equal(TestPackets.Bytes(TestPackets.V4Syn), p);
    }
}
