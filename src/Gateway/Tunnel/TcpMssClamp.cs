using System.Buffers.Binary;

namespace Gateway.Tunnel;

/// <summary>
/// Clamps the TCP Maximum Segment Size option of SYN and SYN-ACK segments in place, so TCP connections through
/// the tunnel never send segments that need fragmenting (sstp-protocol.md section 8: MSS = MTU - 40 for IPv4,
/// MTU - 60 for IPv6). The TCP checksum is updated incrementally (RFC 1624), never recomputed.
/// </summary>
public static class TcpMssClamp
{
    /// <summary>RFC 9293 3.1: minimum TCP header (data offset 5).</summary>
    private const int TcpMinHeaderLength = 20;

    /// <summary>RFC 9293 3.1: control bit SYN in byte 13.</summary>
    private const byte TcpFlagSyn = 0x02;

    /// <summary>RFC 9293 3.2: option kinds End of Option List, No-Operation, Maximum Segment Size (length 4).</summary>
    private const byte OptionEnd = 0;
    private const byte OptionNop = 1;
    private const byte OptionMss = 2;
    private const byte OptionMssLength = 4;

    /// <summary>RFC 8200 4: extension headers walked to find TCP (hop-by-hop, routing, destination options).</summary>
    private const byte Ipv6HopByHop = 0;
    private const byte Ipv6Routing = 43;
    private const byte Ipv6Fragment = 44;
    private const byte Ipv6DestinationOptions = 60;

    /// <summary>Upper bound on IPv6 extension headers walked, so a crafted chain costs bounded work.</summary>
    private const int MaxIpv6ExtensionHeaders = 8;

    /// <summary>IPv4 (20) + TCP (20) header bytes: MSS = MTU - 40 (RFC 879, RFC 9293 3.7.1).</summary>
    public static ushort MssForIpv4Mtu(int mtu) => (ushort)Math.Clamp(mtu - 40, 0, ushort.MaxValue);

    /// <summary>IPv6 (40) + TCP (20) header bytes: MSS = MTU - 60 (RFC 8200 8.3).</summary>
    public static ushort MssForIpv6Mtu(int mtu) => (ushort)Math.Clamp(mtu - 60, 0, ushort.MaxValue);

    /// <summary>Clamps with the limits derived from the tunnel MTU.</summary>
    public static MssClampResult Clamp(Span<byte> packet, int mtu) =>
        Clamp(packet, MssForIpv4Mtu(mtu), MssForIpv6Mtu(mtu));

    /// <summary>
    /// If <paramref name="packet"/> is a TCP segment with SYN set and an MSS option above the limit for its IP
    /// version, lowers the option to the limit and fixes the TCP checksum. Never throws.
    /// </summary>
    public static MssClampResult Clamp(Span<byte> packet, ushort maxMssV4, ushort maxMssV6)
    {
        if (IpPacket.TryParse(packet, out IpHeader ip) != IpParseStatus.Ok)
        {
            return MssClampResult.Malformed;
        }
        int tcpOffset;
        ushort limit;
        if (ip.IsIpv4)
        {
            if (ip.Protocol != IpPacket.ProtocolTcp)
            {
                return MssClampResult.NotTcpSyn;
            }
            // RFC 791 3.1: fragment offset in the low 13 bits of bytes 6-7; only the first fragment has the TCP header.
            if ((BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(6, 2)) & 0x1FFF) != 0)
            {
                return MssClampResult.NotTcpSyn;
            }
            tcpOffset = ip.HeaderLength;
            limit = maxMssV4;
        }
        else
        {
            tcpOffset = FindIpv6Tcp(packet[..ip.TotalLength], out MssClampResult notFound);
            if (tcpOffset < 0)
            {
                return notFound;
            }
            limit = maxMssV6;
        }

        Span<byte> segment = packet[tcpOffset..ip.TotalLength];
        if (segment.Length < TcpMinHeaderLength)
        {
            return MssClampResult.Malformed;
        }
        if ((segment[13] & TcpFlagSyn) == 0)
        {
            return MssClampResult.NotTcpSyn;
        }
        int dataOffset = (segment[12] >> 4) * 4;
        if (dataOffset < TcpMinHeaderLength || dataOffset > segment.Length)
        {
            return MssClampResult.Malformed;
        }

        int mssAt = FindMssOption(segment[TcpMinHeaderLength..dataOffset]);
        if (mssAt == -2)
        {
            return MssClampResult.Malformed;
        }
        if (mssAt < 0)
        {
            return MssClampResult.NoMssOption;
        }
        int valueAt = TcpMinHeaderLength + mssAt + 2;
        ushort mss = BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(valueAt, 2));
        if (mss <= limit)
        {
            return MssClampResult.AlreadyWithinLimit;
        }

        // The value may sit at an odd offset (options need no alignment), so sum the 16-bit words of the TCP
        // segment that cover it, before and after, and apply RFC 1624 eqn 3 to the whole region.
        int alignedStart = valueAt & ~1;
        int alignedEnd = (valueAt + 2 + 1) & ~1;
        ulong before = InternetChecksum.Add(0, segment[alignedStart..alignedEnd]);
        BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(valueAt, 2), limit);
        ulong after = InternetChecksum.Add(0, segment[alignedStart..alignedEnd]);
        ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(16, 2));
        BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(16, 2), InternetChecksum.Update(checksum, before, after));
        return MssClampResult.Clamped;
    }

    /// <summary>Offset of the TCP header in an IPv6 packet, or -1 with the reason in <paramref name="notFound"/>.</summary>
    private static int FindIpv6Tcp(ReadOnlySpan<byte> packet, out MssClampResult notFound)
    {
        byte next = packet[6];
        int offset = IpPacket.Ipv6HeaderLength;
        for (int i = 0; i <= MaxIpv6ExtensionHeaders; i++)
        {
            switch (next)
            {
                case IpPacket.ProtocolTcp:
                    notFound = MssClampResult.NotTcpSyn;
                    return offset;
                case Ipv6HopByHop:
                case Ipv6Routing:
                case Ipv6DestinationOptions:
                    // RFC 8200 4.3-4.6: Next Header, then Hdr Ext Len in 8-octet units not counting the first 8.
                    if (packet.Length - offset < 8)
                    {
                        notFound = MssClampResult.Malformed;
                        return -1;
                    }
                    next = packet[offset];
                    offset += (packet[offset + 1] + 1) * 8;
                    if (offset > packet.Length)
                    {
                        notFound = MssClampResult.Malformed;
                        return -1;
                    }
                    break;
                case Ipv6Fragment:
                    // A fragmented SYN is not worth reassembling; leave it to the endpoints.
                default:
                    notFound = MssClampResult.NotTcpSyn;
                    return -1;
            }
        }
        notFound = MssClampResult.NotTcpSyn;
        return -1;
    }

    /// <summary>Position of the MSS option within the options area; -1 when absent, -2 when the options are malformed.</summary>
    private static int FindMssOption(ReadOnlySpan<byte> options)
    {
        int i = 0;
        while (i < options.Length)
        {
            byte kind = options[i];
            if (kind == OptionEnd)
            {
                return -1;
            }
            if (kind == OptionNop)
            {
                i++;
                continue;
            }
            if (options.Length - i < 2)
            {
                return -2;
            }
            int length = options[i + 1];
            if (length < 2 || length > options.Length - i)
            {
                return -2;
            }
            if (kind == OptionMss)
            {
                return length == OptionMssLength ? i : -2;
            }
            i += length;
        }
        return -1;
    }
}
