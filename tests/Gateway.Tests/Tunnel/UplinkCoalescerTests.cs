using System.Buffers.Binary;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

/// <summary>
/// <see cref="UplinkCoalescer"/> (uplink GRO): what it merges is checked by segmenting the super-packet back with
/// <see cref="GsoSegmenter"/> and comparing with the original packets byte for byte; what it must not merge is
/// written in order, one by one.
/// </summary>
public class UplinkCoalescerTests
{
    private const byte Ack = 0x10;
    private const byte Psh = 0x08;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Consecutive_segments_of_a_flow_become_one_super_packet_that_splits_back_into_them(bool v6)
    {
        var tun = new InMemoryTun { SupportsSuperPackets = true };
        var coalescer = new UplinkCoalescer();
        var originals = new List<byte[]>();
        for (int i = 0; i < 10; i++)
        {
            originals.Add(Segment(v6, seq: 5000 + (uint)(i * 1360), id: (ushort)(100 + i), payload: i < 9 ? 1360 : 500,
                flags: i < 9 ? Ack : (byte)(Ack | Psh)));
        }
        foreach (byte[] p in originals)
        {
            Assert.True(coalescer.Add(p, tun));
        }
        Assert.Empty(tun.SuperPacketWrites); // the PSH closed it, but writing waits for the flush
        Assert.True(coalescer.Flush(tun));

        (VirtioNetHeader header, byte[] super) = Assert.Single(tun.SuperPacketWrites);
        Assert.Equal(1, coalescer.Writes);
        Assert.Equal(10, coalescer.Packets);
        Assert.Equal(v6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4, header.GsoType);
        Assert.True(header.NeedsChecksum);
        Assert.Equal(1360, header.GsoSize);
        Assert.Equal(v6 ? 40 : 20, header.ChecksumStart);
        Assert.Equal(16, header.ChecksumOffset);
        Assert.Equal((v6 ? 40 : 20) + 32, header.HeaderLength);
        Assert.Equal((v6 ? 40 : 20) + 32 + 9 * 1360 + 500, super.Length);

        // The partial checksum completes to a valid one over the whole super-packet.
        byte[] completed = (byte[])super.Clone();
        Assert.Equal(GsoStatus.Ok, GsoSegmenter.CompleteChecksum(completed, header));
        Assert.True(TestPackets.ChecksumsValid(completed));

        Assert.Equal(GsoStatus.Ok, GsoSegmenter.Prepare(super, header, out GsoLayout layout));
        Assert.Equal(10, layout.SegmentCount);
        byte[] scratch = new byte[2000];
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(GsoStatus.Ok, GsoSegmenter.WriteSegment(super, layout, i, scratch, out int length));
            Assert.Equal(Convert.ToHexString(originals[i]), Convert.ToHexString(scratch, 0, length));
        }
    }

    [Fact]
    public void Packets_that_must_not_merge_are_written_one_by_one_in_order()
    {
        var tun = new InMemoryTun { SupportsSuperPackets = true };
        var coalescer = new UplinkCoalescer();
        byte[] a1 = Segment(false, 1000, 1, 1000, Ack);
        byte[] b1 = Segment(false, 9000, 2, 1000, Ack, sourcePort: 40001); // another flow
        byte[] a2 = Segment(false, 2000, 3, 1000, Ack);
        byte[] a3Gap = Segment(false, 3500, 4, 1000, Ack); // not contiguous
        byte[] pureAck = Segment(false, 4500, 5, 0, Ack);
        byte[] fin = Segment(false, 4500, 6, 100, Ack | 0x01);
        byte[] udp = TestPackets.Udp4("10.213.60.1", "10.213.60.2", 1, 2, [1, 2, 3]);
        byte[][] all = [a1, b1, a2, a3Gap, pureAck, fin, udp];
        foreach (byte[] p in all)
        {
            Assert.True(coalescer.Add(p, tun));
        }
        Assert.True(coalescer.Flush(tun));

        Assert.All(tun.SuperPacketWrites, w => Assert.Equal(VirtioNetHeader.GsoNone, w.Header.GsoType));
        foreach (byte[] expected in all)
        {
            Assert.True(tun.TryReadWritten(out byte[] written));
            Assert.Equal(expected, written);
        }
        Assert.False(tun.TryReadWritten(out _));
        Assert.Equal(all.Length, coalescer.Writes);
    }

    [Fact]
    public void A_short_segment_ends_the_super_packet_and_a_device_without_offloads_gets_plain_writes()
    {
        var tun = new InMemoryTun { SupportsSuperPackets = true };
        var coalescer = new UplinkCoalescer();
        uint seq = 1;
        foreach (int size in new[] { 1360, 1360, 700, 1360, 1360 })
        {
            coalescer.Add(Segment(false, seq, 1, size, Ack), tun);
            seq += (uint)size;
        }
        coalescer.Flush(tun);
        Assert.Equal(2, tun.SuperPacketWrites.Count);
        Assert.Equal(52 + 1360 + 1360 + 700, tun.SuperPacketWrites[0].Packet.Length);
        Assert.Equal(2 * 1360 + 52, tun.SuperPacketWrites[1].Packet.Length);

        var plain = new InMemoryTun();
        var direct = new UplinkCoalescer();
        for (int i = 0; i < 4; i++)
        {
            direct.Add(Segment(false, 1 + (uint)(i * 1000), 1, 1000, Ack), plain);
        }
        direct.Flush(plain);
        Assert.Equal(4, plain.WrittenCount);
        Assert.Empty(plain.SuperPacketWrites);
    }

    [Fact]
    public void At_most_MaxSegments_per_super_packet()
    {
        var tun = new InMemoryTun { SupportsSuperPackets = true };
        var coalescer = new UplinkCoalescer();
        for (int i = 0; i < UplinkCoalescer.MaxSegments + 3; i++)
        {
            coalescer.Add(Segment(false, 1 + (uint)(i * 100), 1, 100, Ack), tun);
        }
        coalescer.Flush(tun);
        Assert.Equal(2, tun.SuperPacketWrites.Count);
        Assert.Equal(52 + UplinkCoalescer.MaxSegments * 100, tun.SuperPacketWrites[0].Packet.Length);
    }

    [Fact]
    public void Coalescing_allocates_nothing_per_packet()
    {
        var tun = new DiscardTun { SupportsSuperPackets = true };
        var coalescer = new UplinkCoalescer();
        byte[][] segments = [.. Enumerable.Range(0, 12).Select(i => Segment(false, 1 + (uint)(i * 1360), 1, 1360, Ack))];
        byte[] pureAck = Segment(false, 1, 1, 0, Ack);
        void Round()
        {
            foreach (byte[] s in segments)
            {
                coalescer.Add(s, tun);
            }
            coalescer.Add(pureAck, tun);
            coalescer.Flush(tun);
        }
        for (int i = 0; i < 100; i++)
        {
            Round();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Round();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(tun.SuperPackets >= 1000);
    }

    /// <summary>A TCP segment with timestamps (12 option bytes) and valid checksums.</summary>
    private static byte[] Segment(bool v6, uint seq, ushort id, int payload, byte flags, ushort sourcePort = 40000)
    {
        int ip = v6 ? 40 : 20;
        byte[] p = new byte[ip + 32 + payload];
        if (v6)
        {
            p[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), (ushort)(32 + payload));
            p[6] = 6;
            p[7] = 64;
            Convert.FromHexString("fd000213006000000000000000000002").CopyTo(p, 8);
            Convert.FromHexString("fd000213006000000000000000000001").CopyTo(p, 24);
        }
        else
        {
            p[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), id);
            p[6] = 0x40;
            p[8] = 64;
            p[9] = 6;
            new byte[] { 10, 213, 60, 2, 10, 213, 60, 1 }.CopyTo(p, 12);
            IpPacket.WriteIpv4HeaderChecksum(p);
        }
        Span<byte> t = p.AsSpan(ip);
        BinaryPrimitives.WriteUInt16BigEndian(t, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(t[2..], 443);
        BinaryPrimitives.WriteUInt32BigEndian(t[4..], seq);
        BinaryPrimitives.WriteUInt32BigEndian(t[8..], 777);
        t[12] = 8 << 4;
        t[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(t[14..], 1000);
        t[20] = 1;
        t[21] = 1;
        t[22] = 8;
        t[23] = 10;
        for (int i = 0; i < payload; i++)
        {
            t[32 + i] = (byte)(seq + i);
        }
        IpHeader h = default;
        Assert.Equal(IpParseStatus.Ok, IpPacket.TryParse(p, out h));
        ulong sum = IpPacket.PseudoHeaderSum(p, h, 6, t.Length);
        BinaryPrimitives.WriteUInt16BigEndian(t[16..], (ushort)~InternetChecksum.Fold(InternetChecksum.Add(sum, t)));
        Assert.True(TestPackets.ChecksumsValid(p));
        return p;
    }
}
