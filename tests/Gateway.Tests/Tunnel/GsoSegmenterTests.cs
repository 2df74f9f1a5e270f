using System.Buffers.Binary;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

/// <summary>
/// <see cref="GsoSegmenter"/> against segments built independently here (naive checksums from
/// <see cref="TestPackets.NaiveSum"/>), compared byte for byte, and against malformed virtio headers.
/// </summary>
public class GsoSegmenterTests
{
    private const byte Fin = 0x01;
    private const byte Psh = 0x08;
    private const byte Ack = 0x10;
    private const byte Cwr = 0x80;
    private static readonly byte[] V4Source = [10, 213, 20, 1];
    private static readonly byte[] V4Destination = [10, 213, 20, 2];
    private static readonly byte[] V6Source = Convert.FromHexString("fd000213002000000000000000000001");
    private static readonly byte[] V6Destination = Convert.FromHexString("fd000213002000000000000000000002");

    [Theory]
    [InlineData(false, 5000, 1360)] // 3 full segments and a short one
    [InlineData(false, 4080, 1360)] // an exact multiple
    [InlineData(false, 100, 1360)] // one segment
    [InlineData(true, 5000, 1340)]
    [InlineData(true, 65000, 1340)] // a full-size super-packet
    public void Tcp_super_packet_splits_into_the_segments_a_sender_without_TSO_would_send(bool v6, int payloadLength, int mss)
    {
        byte[] payload = Payload(payloadLength);
        const uint seq = 0xFFFF_F000; // wraps within the super-packet
        const ushort id = 0xFFFE; // wraps too (IPv4 only)
        byte flags = Ack | Psh | Fin | Cwr;
        byte[] super = Packet(v6, IpPacket.ProtocolTcp, id, Tcp(seq, flags, payload), checksum: Partial.Pseudo);
        var header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum,
            (byte)((v6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4) | VirtioNetHeader.GsoEcn),
            (ushort)super.Length, (ushort)mss, (ushort)(v6 ? 40 : 20), 16);

        Assert.Equal(GsoStatus.Ok, GsoSegmenter.Prepare(super, header, out GsoLayout layout));
        int count = (payloadLength + mss - 1) / mss;
        Assert.Equal(count, layout.SegmentCount);
        Assert.Equal((v6 ? 40 : 20) + 32, layout.HeaderLength);
        byte[] scratch = new byte[layout.MaxSegmentLength];
        for (int i = 0; i < count; i++)
        {
            byte[] part = payload[(i * mss)..Math.Min(payloadLength, (i + 1) * mss)];
            byte segmentFlags = (byte)(flags & ~(i < count - 1 ? Fin | Psh : 0) & ~(i > 0 ? Cwr : 0));
            byte[] expected = Packet(v6, IpPacket.ProtocolTcp, (ushort)(id + i),
                Tcp(unchecked(seq + (uint)(i * mss)), segmentFlags, part), checksum: Partial.Full);

            Assert.Equal(GsoStatus.Ok, GsoSegmenter.WriteSegment(super, layout, i, scratch, out int length));
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(scratch, 0, length));
            Assert.True(TestPackets.ChecksumsValid(scratch[..length]), $"segment {i}");
        }
    }

    [Theory]
    [InlineData(false, 4000, 1372)]
    [InlineData(false, 2744, 1372)]
    [InlineData(true, 65000, 1352)]
    public void Udp_L4_super_packet_becomes_one_datagram_per_gso_size(bool v6, int payloadLength, int gsoSize)
    {
        byte[] payload = Payload(payloadLength);
        const ushort id = 0x1234;
        byte[] super = Packet(v6, IpPacket.ProtocolUdp, id, Udp(payload), checksum: Partial.Pseudo);
        var header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoUdpL4,
            (ushort)(v6 ? 48 : 28), (ushort)gsoSize, (ushort)(v6 ? 40 : 20), 6);

        Assert.Equal(GsoStatus.Ok, GsoSegmenter.Prepare(super, header, out GsoLayout layout));
        int count = (payloadLength + gsoSize - 1) / gsoSize;
        Assert.Equal(count, layout.SegmentCount);
        byte[] scratch = new byte[65536];
        for (int i = 0; i < count; i++)
        {
            byte[] part = payload[(i * gsoSize)..Math.Min(payloadLength, (i + 1) * gsoSize)];
            byte[] expected = Packet(v6, IpPacket.ProtocolUdp, (ushort)(id + i), Udp(part), checksum: Partial.Full);

            Assert.Equal(GsoStatus.Ok, GsoSegmenter.WriteSegment(super, layout, i, scratch, out int length));
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(scratch, 0, length));
            Assert.True(TestPackets.ChecksumsValid(scratch[..length]), $"segment {i}");
        }
    }

    [Fact]
    public void Segment_headers_carry_the_exact_fields()
    {
        // Spelled-out values for the second of three segments of a 3000-byte IPv4 super-packet, gso_size 1400.
        byte[] super = Packet(false, IpPacket.ProtocolTcp, 0x0100, Tcp(1000, Ack | Psh, Payload(3000)), Partial.Pseudo);
        var header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoTcpV4, 66, 1400, 20, 16);
        Assert.Equal(GsoStatus.Ok, GsoSegmenter.Prepare(super, header, out GsoLayout layout));
        Assert.Equal(3, layout.SegmentCount);
        Assert.Equal(1452, layout.MaxSegmentLength);
        byte[] segment = new byte[1452];

        Assert.Equal(GsoStatus.Ok, GsoSegmenter.WriteSegment(super, layout, 1, segment, out int length));
        Assert.Equal(1452, length);
        Assert.Equal(1452, BinaryPrimitives.ReadUInt16BigEndian(segment.AsSpan(2))); // total length
        Assert.Equal(0x0101, BinaryPrimitives.ReadUInt16BigEndian(segment.AsSpan(4))); // identification + 1
        Assert.Equal(2400u, BinaryPrimitives.ReadUInt32BigEndian(segment.AsSpan(24))); // seq 1000 + 1400
        Assert.Equal(Ack, segment[33]); // PSH only on the last one
        Assert.Equal(Payload(3000)[1400..2800], segment[52..]);

        Assert.Equal(GsoStatus.Ok, GsoSegmenter.WriteSegment(super, layout, 2, segment, out length));
        Assert.Equal(252, length);
        Assert.Equal(Ack | Psh, segment[33]);
        Assert.Equal(3800u, BinaryPrimitives.ReadUInt32BigEndian(segment.AsSpan(24)));
    }

    [Fact]
    public void Needs_checksum_packet_gets_its_checksum_completed()
    {
        foreach (bool v6 in new[] { false, true })
        {
            byte[] tcp = Packet(v6, IpPacket.ProtocolTcp, 7, Tcp(5, Ack, Payload(777)), Partial.Full);
            byte[] udp = Packet(v6, IpPacket.ProtocolUdp, 7, Udp(Payload(501)), Partial.Full);
            byte[] tcpPartial = Packet(v6, IpPacket.ProtocolTcp, 7, Tcp(5, Ack, Payload(777)), Partial.Pseudo);
            byte[] udpPartial = Packet(v6, IpPacket.ProtocolUdp, 7, Udp(Payload(501)), Partial.Pseudo);
            ushort start = (ushort)(v6 ? 40 : 20);

            Assert.Equal(GsoStatus.Ok, GsoSegmenter.CompleteChecksum(tcpPartial,
                new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, 0, 0, 0, start, 16)));
            Assert.Equal(GsoStatus.Ok, GsoSegmenter.CompleteChecksum(udpPartial,
                new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, 0, 0, 0, start, 6)));
            Assert.Equal(tcp, tcpPartial);
            Assert.Equal(udp, udpPartial);
        }
        byte[] small = Packet(false, IpPacket.ProtocolUdp, 7, Udp([1]), Partial.Pseudo);
        Assert.Equal(GsoStatus.BadChecksumOffsets, GsoSegmenter.CompleteChecksum(small,
            new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, 0, 0, 0, 20, 8)));
        Assert.Equal(GsoStatus.BadChecksumOffsets, GsoSegmenter.CompleteChecksum(small,
            new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, 0, 0, 0, 60000, 6)));
    }

    [Fact]
    public void Malformed_headers_give_a_status()
    {
        byte[] tcp4 = Packet(false, IpPacket.ProtocolTcp, 1, Tcp(1, Ack, Payload(3000)), Partial.Pseudo);
        byte[] tcp6 = Packet(true, IpPacket.ProtocolTcp, 1, Tcp(1, Ack, Payload(3000)), Partial.Pseudo);
        byte[] udp4 = Packet(false, IpPacket.ProtocolUdp, 1, Udp(Payload(3000)), Partial.Pseudo);
        static VirtioNetHeader H(byte type, ushort gso = 1360, ushort hdrLen = 52, ushort start = 20, ushort offset = 16,
            byte flags = VirtioNetHeader.FlagNeedsChecksum) => new(flags, type, hdrLen, gso, start, offset);

        Assert.Equal(GsoStatus.BadGsoSize, GsoSegmenter.Prepare(tcp4, H(VirtioNetHeader.GsoTcpV4, gso: 0), out _));
        Assert.Equal(GsoStatus.BadHeaderLength, GsoSegmenter.Prepare(tcp4, H(VirtioNetHeader.GsoTcpV4, hdrLen: 3053), out _));
        Assert.Equal(GsoStatus.UnsupportedGsoType, GsoSegmenter.Prepare(udp4, H(VirtioNetHeader.GsoUdp), out _)); // UFO
        Assert.Equal(GsoStatus.UnsupportedGsoType, GsoSegmenter.Prepare(tcp4, H(7), out _));
        Assert.Equal(GsoStatus.UnsupportedGsoType, GsoSegmenter.Prepare(tcp4, H(VirtioNetHeader.GsoNone), out _));
        Assert.Equal(GsoStatus.UnsupportedGsoType, GsoSegmenter.Prepare(tcp6, H(VirtioNetHeader.GsoTcpV4, start: 40), out _));
        Assert.Equal(GsoStatus.BadIpHeader, GsoSegmenter.Prepare(udp4, H(VirtioNetHeader.GsoTcpV4), out _));
        Assert.Equal(GsoStatus.BadIpHeader, GsoSegmenter.Prepare(tcp6, H(VirtioNetHeader.GsoUdpL4, start: 40, offset: 6), out _));
        Assert.Equal(GsoStatus.BadChecksumOffsets, GsoSegmenter.Prepare(tcp4, H(VirtioNetHeader.GsoTcpV4, start: 24), out _));
        Assert.Equal(GsoStatus.BadChecksumOffsets, GsoSegmenter.Prepare(tcp4, H(VirtioNetHeader.GsoTcpV4, offset: 6), out _));
        Assert.Equal(GsoStatus.BadChecksumOffsets, GsoSegmenter.Prepare(tcp6, H(VirtioNetHeader.GsoTcpV6, start: 20), out _));
        Assert.Equal(GsoStatus.Truncated, GsoSegmenter.Prepare(tcp4.AsSpan(0, 30), H(VirtioNetHeader.GsoTcpV4, hdrLen: 0), out _));
        Assert.Equal(GsoStatus.Truncated, GsoSegmenter.Prepare(tcp4.AsSpan(0, 10), H(VirtioNetHeader.GsoTcpV4, hdrLen: 0), out _));
        Assert.Equal(GsoStatus.Truncated, GsoSegmenter.Prepare(tcp6.AsSpan(0, 39), H(VirtioNetHeader.GsoTcpV6, hdrLen: 0, start: 40), out _));
        Assert.Equal(GsoStatus.Truncated, GsoSegmenter.Prepare([], H(VirtioNetHeader.GsoTcpV4, hdrLen: 0), out _));
        Assert.Equal(GsoStatus.NoPayload, GsoSegmenter.Prepare(tcp4.AsSpan(0, 52), H(VirtioNetHeader.GsoTcpV4), out _));
        // A TCP data offset below 5 words.
        byte[] badOffset = (byte[])tcp4.Clone();
        badOffset[32] = 0x40;
        Assert.Equal(GsoStatus.BadIpHeader, GsoSegmenter.Prepare(badOffset, H(VirtioNetHeader.GsoTcpV4), out _));

        Assert.Equal(GsoStatus.Ok, GsoSegmenter.Prepare(tcp4, H(VirtioNetHeader.GsoTcpV4), out GsoLayout layout));
        Assert.Equal(GsoStatus.DestinationTooSmall, GsoSegmenter.WriteSegment(tcp4, layout, 0, new byte[1411], out int length));
        Assert.Equal(0, length);
    }

    [Fact]
    public void Random_headers_and_bytes_never_throw()
    {
        var random = new Random(6);
        byte[] scratch = new byte[65536];
        byte[] good = Packet(false, IpPacket.ProtocolTcp, 1, Tcp(1, Ack, Payload(4000)), Partial.Pseudo);
        int ok = 0;
        for (int round = 0; round < 20000; round++)
        {
            byte[] packet = round % 2 == 0 ? new byte[random.Next(1, 200)] : (byte[])good.Clone();
            if (round % 2 == 0)
            {
                random.NextBytes(packet);
                packet[0] = (byte)((random.Next(2) == 0 ? 0x40 : 0x60) | (packet[0] & 0x0F));
            }
            else
            {
                packet[random.Next(packet.Length)] = (byte)random.Next(256);
                packet = packet[..random.Next(packet.Length + 1)];
            }
            byte[] raw = new byte[VirtioNetHeader.Size];
            random.NextBytes(raw);
            raw[1] = (byte)random.Next(7);
            BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(4), (ushort)random.Next(0, 2000));
            Assert.True(VirtioNetHeader.TryRead(raw, out VirtioNetHeader header));
            GsoSegmenter.CompleteChecksum(packet, header);
            if (GsoSegmenter.Prepare(packet, header, out GsoLayout layout) != GsoStatus.Ok)
            {
                continue;
            }
            ok++;
            for (int i = 0; i < layout.SegmentCount; i++)
            {
                Assert.Equal(GsoStatus.Ok, GsoSegmenter.WriteSegment(packet, layout, i, scratch, out int length));
                Assert.True(length <= layout.MaxSegmentLength);
            }
        }
        Assert.True(ok > 0);
    }

    [Fact]
    public void Virtio_header_is_little_endian_on_the_wire()
    {
        byte[] raw = Convert.FromHexString("01813400a8052200" + "1000");
        Assert.True(VirtioNetHeader.TryRead(raw, out VirtioNetHeader h));
        Assert.True(h.NeedsChecksum);
        Assert.Equal(VirtioNetHeader.GsoTcpV4, h.GsoKind);
        Assert.Equal(0x81, h.GsoType);
        Assert.Equal(0x34, h.HeaderLength);
        Assert.Equal(1448, h.GsoSize);
        Assert.Equal(0x22, h.ChecksumStart);
        Assert.Equal(16, h.ChecksumOffset);
        byte[] back = new byte[VirtioNetHeader.Size];
        h.Write(back);
        Assert.Equal(raw, back);
        Assert.False(VirtioNetHeader.TryRead(raw.AsSpan(0, 9), out _));
    }

    private enum Partial
    {
        /// <summary>Valid checksums throughout.</summary>
        Full,

        /// <summary>The transport checksum field holds the folded pseudo-header sum (what CHECKSUM_PARTIAL leaves).</summary>
        Pseudo,
    }

    private static byte[] Payload(int length)
    {
        byte[] payload = new byte[length];
        for (int i = 0; i < length; i++)
        {
            payload[i] = (byte)(i * 7 + (i >> 8));
        }
        return payload;
    }

    /// <summary>A TCP header with 12 bytes of options (NOP, NOP, timestamps), checksum left zero.</summary>
    private static byte[] Tcp(uint seq, byte flags, byte[] payload)
    {
        byte[] t = new byte[32 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(t, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(2), 5201);
        BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(8), 0x01020304);
        t[12] = 8 << 4;
        t[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(14), 501);
        t[20] = 1;
        t[21] = 1;
        t[22] = 8;
        t[23] = 10;
        BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(24), 0xAABBCCDD);
        payload.CopyTo(t, 32);
        return t;
    }

    /// <summary>A UDP header (length set, checksum left zero) and payload.</summary>
    private static byte[] Udp(byte[] payload)
    {
        byte[] u = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(u, 40001);
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(2), 5202);
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(4), (ushort)u.Length);
        payload.CopyTo(u, 8);
        return u;
    }

    /// <summary>An IPv4 (with DF) or IPv6 packet around <paramref name="transport"/>, checksums computed naively.</summary>
    private static byte[] Packet(bool v6, byte protocol, ushort id, byte[] transport, Partial checksum)
    {
        int ipLength = v6 ? 40 : 20;
        byte[] p = new byte[ipLength + transport.Length];
        if (v6)
        {
            p[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), (ushort)transport.Length);
            p[6] = protocol;
            p[7] = 64;
            V6Source.CopyTo(p, 8);
            V6Destination.CopyTo(p, 24);
        }
        else
        {
            p[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), id);
            p[6] = 0x40;
            p[8] = 64;
            p[9] = protocol;
            V4Source.CopyTo(p, 12);
            V4Destination.CopyTo(p, 16);
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), (ushort)~TestPackets.NaiveSum(p[..20]));
        }
        transport.CopyTo(p, ipLength);
        byte[] addresses = v6 ? p[8..40] : p[12..20];
        byte[] pseudo = [.. addresses, 0, protocol, (byte)(transport.Length >> 8), (byte)transport.Length];
        int field = ipLength + (protocol == IpPacket.ProtocolTcp ? 16 : 6);
        ushort value = checksum == Partial.Pseudo
            ? TestPackets.NaiveSum(pseudo)
            : (ushort)~TestPackets.NaiveSum(pseudo, p[ipLength..]);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(field), checksum == Partial.Full && value == 0 ? (ushort)0xFFFF : value);
        return p;
    }
}
