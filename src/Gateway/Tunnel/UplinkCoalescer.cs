using System.Buffers;
using System.Buffers.Binary;

namespace Gateway.Tunnel;

/// <summary>
/// Uplink GRO: merges consecutive packets of one TCP or UDP flow, handed over one by one (e.g. all packets of one TLS
/// read of a session), into one super-packet written with a virtio header and a partial checksum, so the kernel takes
/// them in one write instead of one write (~2.9 us here) each. Only one super-packet is pending at a time: anything
/// that does not merge into it is written after it, so the order of packets is kept.
/// <para>TCP (gso_type TCPV4/TCPV6), the rules of Linux's tcp_gro_receive (net/ipv4/tcp_offload.c), the same ones
/// wireguard-go's tun offload uses: same addresses, ports, IP TOS/TTL (traffic class/hop limit), ACK number and TCP
/// options; contiguous sequence numbers; only ACK/PSH set (no SYN/FIN/RST/URG/ECE/CWR); every segment the size of the
/// first except a shorter last one; a PSH segment ends the super-packet.</para>
/// <para>UDP (gso_type UDP_L4, only when the device accepted USO for that IP version), the rules of Linux's
/// udp_gro_receive_segment (net/ipv4/udp_offload.c): same addresses and ports; the UDP length is exactly the IP
/// payload (no padding); a non-zero checksum, which must verify before the datagram is merged (the kernel recomputes
/// it per segment, so a corrupt datagram would otherwise leave with a valid one); gso_size is the first datagram's
/// payload, and a shorter datagram is the last of the run; IPv4 identifications must increase by one unless DF is
/// set (segmentation rewrites them as first + index; RFC 6864 4.1 gives an atomic datagram's ID no meaning).</para>
/// <para>Both: no IPv4 options or fragments (RFC 791 3.1), no IPv6 extension headers; IPv4 TOS, DF and TTL equal,
/// IPv6 version/traffic class/flow label and hop limit equal; at most <see cref="MaxSegments"/> packets and 64 KB.</para>
/// One instance per sender (not thread-safe); the 64 KB buffer is rented only while a super-packet is pending, so an
/// idle session holds none. Call <see cref="Flush"/> at the end of every batch.
/// </summary>
public sealed class UplinkCoalescer
{
    /// <summary>The most packets one super-packet carries (Linux's UDP_GRO_CNT_MAX; well under 64 KB for TCP).</summary>
    public const int MaxSegments = 64;

    private const int MaxIpLength = 65535;
    private const byte TcpAck = 0x10;
    private const byte TcpPsh = 0x08;
    private const int TcpChecksumOffset = 16;
    private const int UdpHeaderLength = 8;
    private const int UdpChecksumOffset = 6;

    private byte[]? _buffer;
    private int _length;
    private int _ipHeaderLength;
    private int _headerLength;
    private int _segmentSize;
    private int _segments;
    private bool _udp;
    private uint _nextSequence;
    private ushort _nextId;
    private bool _closed;

    /// <summary>Writes issued to the device (super-packets and single packets).</summary>
    public long Writes { get; private set; }

    /// <summary>Writes that carried a GSO super-packet (two or more packets).</summary>
    public long SuperPackets { get; private set; }

    /// <summary>Packets handed to <see cref="Add"/>.</summary>
    public long Packets { get; private set; }

    /// <summary>
    /// Takes one complete IP packet (exactly its total length). It is either appended to the pending super-packet,
    /// or becomes the new pending one, or (not mergeable) is written at once after the pending one. False when a
    /// write failed.
    /// </summary>
    public bool Add(ReadOnlySpan<byte> packet, ITunDevice tun)
    {
        Packets++;
        TunOffloads offloads = tun.SupportsSuperPackets ? tun.Offloads : TunOffloads.None;
        if (offloads == TunOffloads.None || !IsCandidate(packet, offloads, out bool udp, out int ipHeaderLength, out int headerLength))
        {
            bool flushed = Flush(tun);
            Writes++;
            return tun.Write(packet) & flushed;
        }
        int payload = packet.Length - headerLength;
        if (_buffer is not null && udp == _udp && CanAppend(packet, headerLength, payload))
        {
            packet[headerLength..].CopyTo(_buffer.AsSpan(_length));
            _length += payload;
            _segments++;
            // A short segment ends the super-packet (tcp_gro_receive and udp_gro_receive_segment flush on it).
            _closed = payload < _segmentSize || _segments == MaxSegments;
            if (udp)
            {
                _nextId++;
                return true;
            }
            _nextSequence += (uint)payload;
            byte flags = packet[ipHeaderLength + 13];
            if ((flags & TcpPsh) != 0)
            {
                // PSH ends it too, and the super-packet carries it (GSO leaves it on the last segment only).
                _buffer[_ipHeaderLength + 13] |= TcpPsh;
                _closed = true;
            }
            return true;
        }
        bool ok = Flush(tun);
        _buffer = ArrayPool<byte>.Shared.Rent(MaxIpLength);
        packet.CopyTo(_buffer);
        _length = packet.Length;
        _ipHeaderLength = ipHeaderLength;
        _headerLength = headerLength;
        _segmentSize = payload;
        _segments = 1;
        _udp = udp;
        if (udp)
        {
            _nextId = ipHeaderLength == IpPacket.Ipv4MinHeaderLength ? (ushort)(BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) + 1) : (ushort)0;
            _closed = false;
        }
        else
        {
            _nextSequence = BinaryPrimitives.ReadUInt32BigEndian(packet[(ipHeaderLength + 4)..]) + (uint)payload;
            _closed = (packet[ipHeaderLength + 13] & TcpPsh) != 0;
        }
        return ok;
    }

    /// <summary>Writes the pending super-packet, if any. False when the write failed.</summary>
    public bool Flush(ITunDevice tun)
    {
        byte[]? buffer = _buffer;
        if (buffer is null)
        {
            return true;
        }
        _buffer = null;
        Span<byte> packet = buffer.AsSpan(0, _length);
        bool ok;
        Writes++;
        if (_segments == 1)
        {
            // Written as it came: its own checksum stays.
            ok = tun.Write(packet);
        }
        else
        {
            SuperPackets++;
            bool v6 = _ipHeaderLength == IpPacket.Ipv6HeaderLength;
            if (v6)
            {
                BinaryPrimitives.WriteUInt16BigEndian(packet[4..], (ushort)(_length - IpPacket.Ipv6HeaderLength));
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)_length);
                IpPacket.WriteIpv4HeaderChecksum(packet);
            }
            int transportLength = _length - _ipHeaderLength;
            byte protocol = IpPacket.ProtocolTcp;
            int checksumOffset = TcpChecksumOffset;
            byte gsoType = v6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4;
            if (_udp)
            {
                // The kernel's UDP receive path trims to the UDP length before segmenting, so it covers the whole
                // super-packet; __udp_gso_segment then gives each segment its own length.
                BinaryPrimitives.WriteUInt16BigEndian(packet[(_ipHeaderLength + 4)..], (ushort)transportLength);
                protocol = IpPacket.ProtocolUdp;
                checksumOffset = UdpChecksumOffset;
                gsoType = VirtioNetHeader.GsoUdpL4;
            }
            // VIRTIO 1.2 5.1.6.2: with NEEDS_CSUM the field holds the folded pseudo-header sum, not complemented
            // (what Linux's __tcp_v4_send_check and udp_set_csum leave for a device); the kernel finishes it per segment.
            ulong pseudo = IpPacket.PseudoHeaderSum(packet, v6, protocol, transportLength);
            BinaryPrimitives.WriteUInt16BigEndian(packet[(_ipHeaderLength + checksumOffset)..], InternetChecksum.Fold(pseudo));
            var header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, gsoType, (ushort)_headerLength,
                (ushort)_segmentSize, (ushort)_ipHeaderLength, (ushort)checksumOffset);
            ok = tun.WriteSuperPacket(packet, header);
        }
        ArrayPool<byte>.Shared.Return(buffer);
        return ok;
    }

    /// <summary>
    /// A TCP segment with payload and only ACK (and maybe PSH), or a UDP datagram with payload, a non-zero checksum and
    /// no padding; no IPv4 options/fragmentation, no IPv6 extension headers; and the device takes that kind of
    /// super-packet for that IP version.
    /// </summary>
    private static bool IsCandidate(ReadOnlySpan<byte> packet, TunOffloads offloads, out bool udp, out int ipHeaderLength, out int headerLength)
    {
        udp = false;
        ipHeaderLength = 0;
        headerLength = 0;
        if (packet.Length < IpPacket.Ipv4MinHeaderLength)
        {
            return false;
        }
        byte protocol;
        bool v6;
        if (packet[0] == 0x45)
        {
            // MF clear and fragment offset 0 (RFC 791 3.1).
            if ((BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x3FFF) != 0)
            {
                return false;
            }
            protocol = packet[9];
            ipHeaderLength = IpPacket.Ipv4MinHeaderLength;
            v6 = false;
        }
        else if (packet[0] >> 4 == 6 && packet.Length >= IpPacket.Ipv6HeaderLength)
        {
            protocol = packet[6];
            ipHeaderLength = IpPacket.Ipv6HeaderLength;
            v6 = true;
        }
        else
        {
            return false;
        }
        if (protocol == IpPacket.ProtocolUdp)
        {
            udp = true;
            headerLength = ipHeaderLength + UdpHeaderLength;
            return (offloads & (v6 ? TunOffloads.Uso6 : TunOffloads.Uso4)) != 0
                && packet.Length > headerLength
                && BinaryPrimitives.ReadUInt16BigEndian(packet[(ipHeaderLength + 4)..]) == packet.Length - ipHeaderLength
                && BinaryPrimitives.ReadUInt16BigEndian(packet[(ipHeaderLength + UdpChecksumOffset)..]) != 0;
        }
        if (protocol != IpPacket.ProtocolTcp || (offloads & (v6 ? TunOffloads.Tso6 : TunOffloads.Tso4)) == 0
            || packet.Length < ipHeaderLength + 20)
        {
            return false;
        }
        int tcpHeaderLength = (packet[ipHeaderLength + 12] >> 4) * 4;
        byte flags = packet[ipHeaderLength + 13];
        headerLength = ipHeaderLength + tcpHeaderLength;
        return tcpHeaderLength >= 20 && headerLength < packet.Length
            && (flags & TcpAck) != 0 && (flags & ~(TcpAck | TcpPsh)) == 0;
    }

    /// <summary>Whether <paramref name="packet"/> (a candidate of the pending kind) continues the pending super-packet.</summary>
    private bool CanAppend(ReadOnlySpan<byte> packet, int headerLength, int payload)
    {
        if (_closed || headerLength != _headerLength || payload > _segmentSize || _length + payload > MaxIpLength)
        {
            return false;
        }
        ReadOnlySpan<byte> pending = _buffer.AsSpan(0, _headerLength);
        int ip = _ipHeaderLength;
        if (ip == IpPacket.Ipv4MinHeaderLength)
        {
            // Version/IHL and TOS; DF flag; TTL and protocol; addresses. (Length, ID and checksum may differ.)
            if (!packet[..2].SequenceEqual(pending[..2]) || packet[6] != pending[6]
                || !packet.Slice(8, 2).SequenceEqual(pending.Slice(8, 2)) || !packet.Slice(12, 8).SequenceEqual(pending.Slice(12, 8)))
            {
                return false;
            }
        }
        else if (packet[0] >> 4 != 6 || !packet[..4].SequenceEqual(pending[..4]) || !packet.Slice(6, 34).SequenceEqual(pending.Slice(6, 34)))
        {
            // Version, traffic class, flow label; next header, hop limit, addresses.
            return false;
        }
        if (!packet.Slice(ip, 4).SequenceEqual(pending.Slice(ip, 4)))
        {
            return false; // ports
        }
        if (_udp)
        {
            // Without DF the identification must go on by one (inet_gro_flush); segmentation writes first + index.
            if (ip == IpPacket.Ipv4MinHeaderLength && (packet[6] & 0x40) == 0
                && BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) != _nextId)
            {
                return false;
            }
            // Checked only now, when it pays off: the pending first datagram once, then each one that joins.
            return UdpChecksumValid(packet, ip) && (_segments > 1 || UdpChecksumValid(_buffer.AsSpan(0, _length), ip));
        }
        // ACK number, then the options (equal, as tcp_gro_receive requires); the sequence number follows on.
        return packet.Slice(ip + 8, 4).SequenceEqual(pending.Slice(ip + 8, 4))
            && packet[(ip + 20)..headerLength].SequenceEqual(pending[(ip + 20)..headerLength])
            && BinaryPrimitives.ReadUInt32BigEndian(packet[(ip + 4)..]) == _nextSequence;
    }

    /// <summary>RFC 768: the one's complement sum of the pseudo-header and the whole datagram (its checksum included) is
    /// all ones. The datagram is the rest of <paramref name="packet"/> (its UDP length was checked to match).</summary>
    private static bool UdpChecksumValid(ReadOnlySpan<byte> packet, int ipHeaderLength)
    {
        ReadOnlySpan<byte> datagram = packet[ipHeaderLength..];
        ulong sum = IpPacket.PseudoHeaderSum(packet, ipHeaderLength == IpPacket.Ipv6HeaderLength, IpPacket.ProtocolUdp, datagram.Length);
        return InternetChecksum.Fold(InternetChecksum.Add(sum, datagram)) == 0xFFFF;
    }
}
