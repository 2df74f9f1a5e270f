using System.Buffers.Binary;
using Gateway.Tests.Infrastructure;
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

        AssertCompletesAndSplitsBack(super, header, originals);
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
        Assert.Equal(0, Allocations.AfterWarmup(Round, warmup: 100, measured: 1000));
        Assert.True(tun.SuperPackets >= 1000);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Consecutive_datagrams_of_a_UDP_flow_become_one_UDP_L4_super_packet_that_splits_back_into_them(bool v6)
    {
        var tun = new InMemoryTun { SupportsSuperPackets = true };
        var coalescer = new UplinkCoalescer();
        var originals = new List<byte[]>();
        for (int i = 0; i < 10; i++)
        {
            // Without DF, with identifications that go on by one: what segmentation writes back.
            originals.Add(Datagram(v6, i, i < 9 ? 1372 : 300, id: (ushort)(65530 + i), dontFragment: false));
        }
        foreach (byte[] p in originals)
        {
            Assert.True(coalescer.Add(p, tun));
        }
        Assert.Empty(tun.SuperPacketWrites);
        Assert.True(coalescer.Flush(tun));

        (VirtioNetHeader header, byte[] super) = Assert.Single(tun.SuperPacketWrites);
        Assert.Equal(1, coalescer.Writes);
        Assert.Equal(1, coalescer.SuperPackets);
        Assert.Equal(10, coalescer.Packets);
        int ip = v6 ? 40 : 20;
        Assert.Equal(VirtioNetHeader.GsoUdpL4, header.GsoType);
        Assert.True(header.NeedsChecksum);
        Assert.Equal(1372, header.GsoSize);
        Assert.Equal(ip, header.ChecksumStart);
        Assert.Equal(6, header.ChecksumOffset);
        Assert.Equal(ip + 8, header.HeaderLength);
        Assert.Equal(ip + 8 + 9 * 1372 + 300, super.Length);
        Assert.Equal(8 + 9 * 1372 + 300, BinaryPrimitives.ReadUInt16BigEndian(super.AsSpan(ip + 4)));

        AssertCompletesAndSplitsBack(super, header, originals);
    }

    [Fact]
    public void DF_datagrams_merge_whatever_their_identification()
    {
        // RFC 6864 4.1: an atomic datagram's ID means nothing, so a fixed one (as many stacks send) still merges.
        var tun = new InMemoryTun { SupportsSuperPackets = true };
        var coalescer = new UplinkCoalescer();
        for (int i = 0; i < 5; i++)
        {
            coalescer.Add(Datagram(false, i, 1000, id: 7), tun);
        }
        coalescer.Flush(tun);
        Assert.Equal(5 * 1000 + 28, Assert.Single(tun.SuperPacketWrites).Packet.Length);
    }

    /// <summary>What differs in the third of five datagrams of one flow.</summary>
    public static TheoryData<string> RunBreakers => new()
    {
        "source port", "destination address", "TTL", "TOS", "DF", "no DF, ID out of step", "larger payload",
        "zero checksum", "bad checksum", "padded", "IPv4 options", "fragment", "TCP",
    };

    [Theory]
    [MemberData(nameof(RunBreakers))]
    public void A_datagram_that_does_not_match_ends_the_run_and_everything_is_written_in_order(string difference)
    {
        var tun = new InMemoryTun { SupportsSuperPackets = true };
        var coalescer = new UplinkCoalescer();
        bool df = difference != "no DF, ID out of step";
        byte[][] all =
        [
            Datagram(false, 0, 1000, id: 10, dontFragment: df),
            Datagram(false, 1, 1000, id: 11, dontFragment: df),
            Odd(difference),
            Datagram(false, 3, 1000, id: 13, dontFragment: df),
            Datagram(false, 4, 1000, id: 14, dontFragment: df),
        ];
        foreach (byte[] p in all)
        {
            Assert.True(coalescer.Add(p, tun));
        }
        coalescer.Flush(tun);
        // [1 2] 3 [4 5]; a larger third datagram takes the fourth along as its shorter last one: [1 2] [3 4] 5.
        Assert.Equal(3, coalescer.Writes);
        Assert.Equal(2, coalescer.SuperPackets);
        // The written packets, super-packets split back, are the originals in order (IDs in step, so byte for byte).
        var written = new List<byte[]>();
        while (tun.TryReadWritten(out byte[] w))
        {
            written.AddRange(Split(tun, w));
        }
        Assert.Equal(all.Select(Convert.ToHexString), written.Select(Convert.ToHexString));

        byte[] Odd(string what)
        {
            byte[] p = Datagram(false, 2, 1000, id: 12, dontFragment: df);
            switch (what)
            {
                case "source port": return Datagram(false, 2, 1000, id: 12, sourcePort: 5001);
                case "destination address": return UdpDatagrams.Build("10.213.60.2", "10.213.60.9", 5000, 9000, UdpDatagrams.Payload(2, 1000), id: 12);
                case "TTL": return UdpDatagrams.Build("10.213.60.2", "10.213.60.1", 5000, 9000, UdpDatagrams.Payload(2, 1000), id: 12, ttl: 63);
                case "TOS": return UdpDatagrams.Build("10.213.60.2", "10.213.60.1", 5000, 9000, UdpDatagrams.Payload(2, 1000), id: 12, tos: 0x10);
                case "DF": return Datagram(false, 2, 1000, id: 12, dontFragment: false);
                case "no DF, ID out of step": return Datagram(false, 2, 1000, id: 99, dontFragment: false);
                case "larger payload": return Datagram(false, 2, 1001, id: 12);
                case "zero checksum":
                    p[26] = 0;
                    p[27] = 0;
                    return p;
                case "bad checksum":
                    p[100] ^= 0xFF;
                    return p;
                case "padded":
                    // UDP length 2 bytes short of the IP payload (udp_gro_receive_segment refuses padding).
                    BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(24), 1006);
                    return p;
                case "IPv4 options":
                {
                    byte[] o = new byte[p.Length + 4];
                    p.AsSpan(0, 20).CopyTo(o);
                    o[0] = 0x46;
                    o[20] = 1; // NOP, NOP, NOP, End of options
                    o[21] = 1;
                    o[22] = 1;
                    p.AsSpan(20).CopyTo(o.AsSpan(24));
                    BinaryPrimitives.WriteUInt16BigEndian(o.AsSpan(2), (ushort)o.Length);
                    IpPacket.WriteIpv4HeaderChecksum(o);
                    return o;
                }
                case "fragment":
                    p[6] |= 0x20; // MF
                    IpPacket.WriteIpv4HeaderChecksum(p);
                    return p;
                case "TCP":
                    return TestPackets.Bytes(TestPackets.V4Syn);
                default: throw new ArgumentOutOfRangeException(nameof(what));
            }
        }
    }

    [Fact]
    public void A_shorter_datagram_ends_the_run_and_the_next_one_starts_a_new_one()
    {
        var tun = new InMemoryTun { SupportsSuperPackets = true };
        var coalescer = new UplinkCoalescer();
        int[] sizes = [1200, 1200, 800, 1200, 1200, 1200, 50];
        for (int i = 0; i < sizes.Length; i++)
        {
            coalescer.Add(Datagram(false, i, sizes[i]), tun);
        }
        coalescer.Flush(tun);
        Assert.Equal(2, tun.SuperPacketWrites.Count);
        Assert.Equal(28 + 1200 + 1200 + 800, tun.SuperPacketWrites[0].Packet.Length);
        Assert.Equal(28 + 3 * 1200 + 50, tun.SuperPacketWrites[1].Packet.Length);
        Assert.All(tun.SuperPacketWrites, w => Assert.Equal(1200, w.Header.GsoSize));
    }

    [Fact]
    public void UDP_runs_stop_at_MaxSegments_and_at_64_KB()
    {
        var tun = new InMemoryTun { SupportsSuperPackets = true };
        var coalescer = new UplinkCoalescer();
        for (int i = 0; i < UplinkCoalescer.MaxSegments + 1; i++)
        {
            coalescer.Add(Datagram(false, i, 100), tun);
        }
        coalescer.Flush(tun);
        Assert.Equal(2, coalescer.Writes);
        Assert.Equal(28 + UplinkCoalescer.MaxSegments * 100, tun.SuperPacketWrites[0].Packet.Length);

        // 1472-byte payloads: 44 fit in 65535 bytes with the 28 header bytes, the 45th starts the next write.
        var big = new InMemoryTun { SupportsSuperPackets = true };
        var limited = new UplinkCoalescer();
        for (int i = 0; i < 46; i++)
        {
            limited.Add(Datagram(false, i, 1472), big);
        }
        limited.Flush(big);
        Assert.Equal(2, big.SuperPacketWrites.Count);
        Assert.Equal(28 + 44 * 1472, big.SuperPacketWrites[0].Packet.Length);
        Assert.Equal(28 + 2 * 1472, big.SuperPacketWrites[1].Packet.Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UDP_merges_only_when_the_device_took_USO_for_that_IP_version(bool v6)
    {
        // USO for the other version only (and TSO for both): every datagram is a write of its own.
        var tun = new InMemoryTun
        {
            Offloads = TunOffloads.Checksum | TunOffloads.Tso4 | TunOffloads.Tso6 | (v6 ? TunOffloads.Uso4 : TunOffloads.Uso6),
        };
        var coalescer = new UplinkCoalescer();
        for (int i = 0; i < 4; i++)
        {
            coalescer.Add(Datagram(v6, i, 1000), tun);
        }
        coalescer.Flush(tun);
        Assert.Equal(4, coalescer.Writes);
        Assert.Empty(tun.SuperPacketWrites);
        Assert.Equal(4, tun.WrittenCount);
    }

    [Fact]
    public void IPv6_datagrams_with_another_flow_label_or_an_extension_header_are_not_merged()
    {
        var tun = new InMemoryTun { SupportsSuperPackets = true };
        var coalescer = new UplinkCoalescer();
        byte[] a = Datagram(true, 0, 1000);
        byte[] b = Datagram(true, 1, 1000);
        b[3] = 1; // flow label
        byte[] c = Datagram(true, 2, 1000);
        c[6] = 0; // a hop-by-hop options header would follow
        byte[] d = Datagram(true, 3, 1000);
        foreach (byte[] p in new[] { a, b, c, d })
        {
            coalescer.Add(p, tun);
        }
        coalescer.Flush(tun);
        Assert.Equal(4, coalescer.Writes);
        Assert.Equal(0, coalescer.SuperPackets);
    }

    [Fact]
    public void Truncated_and_empty_packets_are_written_as_they_are_without_an_exception()
    {
        var tun = new InMemoryTun { SupportsSuperPackets = true };
        var coalescer = new UplinkCoalescer();
        byte[] good = Datagram(false, 0, 1000);
        byte[][] bad = [[], good[..10], good[..28], [0x60, 0, 0, 0], Datagram(true, 1, 100)[..44]];
        coalescer.Add(good, tun);
        foreach (byte[] p in bad)
        {
            coalescer.Add(p, tun);
        }
        coalescer.Flush(tun);
        Assert.Equal(1 + bad.Length, coalescer.Writes);
        Assert.Equal(0, coalescer.SuperPackets);
    }

    [Fact]
    public void UDP_coalescing_allocates_nothing_per_packet()
    {
        var tun = new DiscardTun { SupportsSuperPackets = true };
        var coalescer = new UplinkCoalescer();
        byte[][] datagrams = [.. Enumerable.Range(0, 12).Select(i => Datagram(i >= 6, i, 1372))];
        void Round()
        {
            foreach (byte[] d in datagrams)
            {
                coalescer.Add(d, tun);
            }
            coalescer.Flush(tun);
        }
        Assert.Equal(0, Allocations.AfterWarmup(Round, warmup: 100, measured: 1000));
        Assert.True(tun.SuperPackets >= 1000);
    }

    /// <summary>Datagram <paramref name="index"/> of the test flow 10.213.60.2:5000 -> 10.213.60.1:9000 (or IPv6).</summary>
    private static byte[] Datagram(bool v6, int index, int payload, ushort? id = null, bool dontFragment = true, ushort sourcePort = 5000) =>
        UdpDatagrams.Build(v6 ? "fd00:213:60::2" : "10.213.60.2", v6 ? "fd00:213:60::1" : "10.213.60.1", sourcePort, 9000,
            UdpDatagrams.Payload(index, payload), id ?? (ushort)(10 + index), dontFragment);

    /// <summary>A written packet, split back into its datagrams when it went out as a super-packet.</summary>
    private static List<byte[]> Split(InMemoryTun tun, byte[] written)
    {
        foreach ((VirtioNetHeader header, byte[] packet) in tun.SuperPacketWrites)
        {
            if (ReferenceEquals(packet, written) || packet.AsSpan().SequenceEqual(written))
            {
                if (header.GsoType == VirtioNetHeader.GsoNone)
                {
                    break;
                }
                Assert.Equal(GsoStatus.Ok, GsoSegmenter.Prepare(packet, header, out GsoLayout layout));
                var segments = new List<byte[]>();
                byte[] scratch = new byte[65536];
                for (int i = 0; i < layout.SegmentCount; i++)
                {
                    Assert.Equal(GsoStatus.Ok, GsoSegmenter.WriteSegment(packet, layout, i, scratch, out int length));
                    segments.Add(scratch[..length]);
                }
                return segments;
            }
        }
        return [written];
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

    /// <summary>
    /// The super-packet's partial checksum completes to a valid one over the whole packet, and software GSO splits it
    /// back into exactly <paramref name="originals"/>.
    /// </summary>
    private static void AssertCompletesAndSplitsBack(byte[] super, VirtioNetHeader header, IReadOnlyList<byte[]> originals)
    {
        byte[] completed = (byte[])super.Clone();
        Assert.Equal(GsoStatus.Ok, GsoSegmenter.CompleteChecksum(completed, header));
        Assert.True(TestPackets.ChecksumsValid(completed));

        Assert.Equal(GsoStatus.Ok, GsoSegmenter.Prepare(super, header, out GsoLayout layout));
        Assert.Equal(originals.Count, layout.SegmentCount);
        byte[] scratch = new byte[2000];
        for (int i = 0; i < originals.Count; i++)
        {
            Assert.Equal(GsoStatus.Ok, GsoSegmenter.WriteSegment(super, layout, i, scratch, out int length));
            Assert.Equal(Convert.ToHexString(originals[i]), Convert.ToHexString(scratch, 0, length));
        }
    }
}
