using System.Buffers.Binary;

namespace Gateway.Tunnel;

/// <summary>
/// Software segmentation of the super-packets a TUN device with IFF_VNET_HDR and TUNSETOFFLOAD hands out (the work a
/// NIC does for TSO/USO), and checksum completion for VIRTIO_NET_HDR_F_NEEDS_CSUM (VIRTIO 1.2 section 5.1.6.2).
/// The per-segment header rules follow Linux's own software GSO (net/ipv4/tcp_offload.c tcp_gso_segment,
/// net/ipv4/udp_offload.c __udp_gso_segment, net/ipv4/af_inet.c inet_gso_segment), so a segment leaves here exactly as
/// it would have left a device without offloads:
/// TCP: sequence number advanced by the payload before it, FIN and PSH only on the last segment, CWR only on the
/// first, full checksum. UDP (RFC 768): one datagram per gso_size with its own length and checksum. IPv4: total length,
/// identification incremented per segment, header checksum. IPv6: payload length.
/// Pure: spans in, bytes out, no allocation, and bad input gives a <see cref="GsoStatus"/>, never an exception.
/// </summary>
public static class GsoSegmenter
{
    private const int TcpMinHeaderLength = 20;
    private const int UdpHeaderLength = 8;
    private const int TcpChecksumOffset = 16;
    private const int UdpChecksumOffset = 6;

    // RFC 9293 3.1 control bits in byte 13 of the TCP header.
    private const byte TcpFin = 0x01;
    private const byte TcpPsh = 0x08;
    private const byte TcpCwr = 0x80;

    /// <summary>
    /// Validates the virtio header of a GSO packet (gso_type TCPV4, TCPV6 or UDP_L4) against the IP packet that
    /// follows it and finds its headers and payload. <paramref name="packet"/> is the IP packet without the virtio
    /// header, exactly as long as the read returned.
    /// </summary>
    public static GsoStatus Prepare(ReadOnlySpan<byte> packet, in VirtioNetHeader header, out GsoLayout layout)
    {
        layout = default;
        byte kind = header.GsoKind;
        if (kind is not (VirtioNetHeader.GsoTcpV4 or VirtioNetHeader.GsoTcpV6 or VirtioNetHeader.GsoUdpL4))
        {
            return GsoStatus.UnsupportedGsoType;
        }
        if (header.GsoSize == 0)
        {
            return GsoStatus.BadGsoSize;
        }
        if (header.HeaderLength > packet.Length)
        {
            return GsoStatus.BadHeaderLength;
        }
        if (packet.IsEmpty)
        {
            return GsoStatus.Truncated;
        }
        bool isTcp = kind != VirtioNetHeader.GsoUdpL4;
        byte protocol = isTcp ? IpPacket.ProtocolTcp : IpPacket.ProtocolUdp;
        int version = packet[0] >> 4;
        if ((kind == VirtioNetHeader.GsoTcpV4 && version != 4) || (kind == VirtioNetHeader.GsoTcpV6 && version != 6))
        {
            return GsoStatus.UnsupportedGsoType;
        }
        int transportOffset;
        if (version == 4)
        {
            if (packet.Length < IpPacket.Ipv4MinHeaderLength)
            {
                return GsoStatus.Truncated;
            }
            transportOffset = (packet[0] & 0x0F) * 4;
            if (transportOffset < IpPacket.Ipv4MinHeaderLength || transportOffset > packet.Length || packet[9] != protocol)
            {
                return GsoStatus.BadIpHeader;
            }
            if (header.NeedsChecksum && header.ChecksumStart != transportOffset)
            {
                return GsoStatus.BadChecksumOffsets;
            }
        }
        else if (version == 6)
        {
            if (packet.Length < IpPacket.Ipv6HeaderLength)
            {
                return GsoStatus.Truncated;
            }
            // With extension headers the kernel's csum_start is where the transport header begins (RFC 8200 4).
            transportOffset = header.NeedsChecksum ? header.ChecksumStart : IpPacket.Ipv6HeaderLength;
            if (transportOffset < IpPacket.Ipv6HeaderLength
                || (transportOffset == IpPacket.Ipv6HeaderLength && packet[6] != protocol))
            {
                return transportOffset < IpPacket.Ipv6HeaderLength ? GsoStatus.BadChecksumOffsets : GsoStatus.BadIpHeader;
            }
        }
        else
        {
            return GsoStatus.BadIpHeader;
        }
        if (header.NeedsChecksum && header.ChecksumOffset != (isTcp ? TcpChecksumOffset : UdpChecksumOffset))
        {
            return GsoStatus.BadChecksumOffsets;
        }
        int transportLength;
        if (isTcp)
        {
            if (packet.Length - transportOffset < TcpMinHeaderLength)
            {
                return GsoStatus.Truncated;
            }
            transportLength = (packet[transportOffset + 12] >> 4) * 4;
            if (transportLength < TcpMinHeaderLength)
            {
                return GsoStatus.BadIpHeader;
            }
        }
        else
        {
            transportLength = UdpHeaderLength;
        }
        int headerLength = transportOffset + transportLength;
        if (headerLength > packet.Length)
        {
            return GsoStatus.Truncated;
        }
        if (headerLength == packet.Length)
        {
            return GsoStatus.NoPayload;
        }
        layout = new GsoLayout(version == 6, isTcp, transportOffset, headerLength, packet.Length - headerLength, header.GsoSize);
        return GsoStatus.Ok;
    }

    /// <summary>
    /// Builds segment <paramref name="index"/> (0 to <see cref="GsoLayout.SegmentCount"/> - 1) of the super-packet
    /// into <paramref name="destination"/>: a complete IP packet with valid checksums, <paramref name="length"/> bytes.
    /// </summary>
    public static GsoStatus WriteSegment(ReadOnlySpan<byte> packet, in GsoLayout layout, int index, Span<byte> destination, out int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, layout.SegmentCount);
        int payloadStart = index * layout.SegmentSize;
        int payloadLength = Math.Min(layout.SegmentSize, layout.PayloadLength - payloadStart);
        length = layout.HeaderLength + payloadLength;
        if (destination.Length < length)
        {
            length = 0;
            return GsoStatus.DestinationTooSmall;
        }
        Span<byte> segment = destination[..length];
        packet[..layout.HeaderLength].CopyTo(segment);
        packet.Slice(layout.HeaderLength + payloadStart, payloadLength).CopyTo(segment[layout.HeaderLength..]);

        if (layout.IsIpv6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(segment[4..], (ushort)(length - IpPacket.Ipv6HeaderLength));
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(segment[2..], (ushort)length);
            ushort id = BinaryPrimitives.ReadUInt16BigEndian(segment[4..]);
            BinaryPrimitives.WriteUInt16BigEndian(segment[4..], (ushort)(id + index));
            IpPacket.WriteIpv4HeaderChecksum(segment);
        }

        Span<byte> transport = segment[layout.TransportOffset..];
        int checksumOffset;
        ulong pseudo = IpPacket.PseudoHeaderSum(segment, layout.IsIpv6,
            layout.IsTcp ? IpPacket.ProtocolTcp : IpPacket.ProtocolUdp, transport.Length);
        if (layout.IsTcp)
        {
            uint sequence = BinaryPrimitives.ReadUInt32BigEndian(transport[4..]);
            BinaryPrimitives.WriteUInt32BigEndian(transport[4..], unchecked(sequence + (uint)payloadStart));
            byte flags = transport[13];
            if (index != layout.SegmentCount - 1)
            {
                flags &= unchecked((byte)~(TcpFin | TcpPsh));
            }
            if (index != 0)
            {
                flags &= unchecked((byte)~TcpCwr);
            }
            transport[13] = flags;
            checksumOffset = TcpChecksumOffset;
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(transport[4..], (ushort)transport.Length);
            checksumOffset = UdpChecksumOffset;
        }
        transport[checksumOffset] = 0;
        transport[checksumOffset + 1] = 0;
        ushort checksum = (ushort)~InternetChecksum.Fold(InternetChecksum.Add(pseudo, transport));
        // RFC 768: a computed UDP checksum of zero is sent as all ones (zero means "no checksum"); same value for TCP.
        BinaryPrimitives.WriteUInt16BigEndian(transport[checksumOffset..], checksum == 0 ? (ushort)0xFFFF : checksum);
        return GsoStatus.Ok;
    }

    /// <summary>
    /// Completes the checksum of a VIRTIO_NET_HDR_F_NEEDS_CSUM packet in place: the field at csum_start + csum_offset
    /// holds the folded pseudo-header sum, so the one's complement sum from csum_start to the end, complemented, is the
    /// final checksum (what Linux's skb_checksum_help does).
    /// </summary>
    public static GsoStatus CompleteChecksum(Span<byte> packet, in VirtioNetHeader header)
    {
        int start = header.ChecksumStart;
        int field = start + header.ChecksumOffset;
        if (field + 2 > packet.Length || start < IpPacket.Ipv4MinHeaderLength)
        {
            return GsoStatus.BadChecksumOffsets;
        }
        ushort checksum = (ushort)~InternetChecksum.Fold(InternetChecksum.Add(0, packet[start..]));
        BinaryPrimitives.WriteUInt16BigEndian(packet[field..], checksum == 0 ? (ushort)0xFFFF : checksum);
        return GsoStatus.Ok;
    }
}
