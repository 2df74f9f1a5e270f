using System.Buffers;
using System.Buffers.Binary;

namespace Gateway.Tunnel;

/// <summary>
/// Uplink GRO: merges consecutive TCP segments of one flow, handed over one by one (e.g. all packets of one TLS read
/// of a session), into one super-packet written with a TCPV4/TCPV6 virtio header and a partial checksum, so the
/// kernel takes them in one write instead of one write (~2.9 us here) each. The merge rules are those of Linux's
/// tcp_gro_receive (net/ipv4/tcp_offload.c), the same ones wireguard-go's tun offload uses: same addresses, ports,
/// IP TOS/TTL (traffic class/hop limit), ACK number and TCP options; contiguous sequence numbers; only ACK/PSH set
/// (no SYN/FIN/RST/URG/ECE/CWR); no IPv4 options or fragments, no IPv6 extension headers; every segment the size of
/// the first except a shorter last one; a PSH segment ends the super-packet. Anything else is written as it is, after
/// what is pending (the order of packets is kept). One instance per sender (not thread-safe); the 64 KB buffer is
/// rented only while a super-packet is pending, so an idle session holds none. Call <see cref="Flush"/> at the end
/// of every batch.
/// </summary>
public sealed class TcpCoalescer
{
    /// <summary>The most segments one super-packet carries (Linux's UDP_MAX_SEGMENTS-sized batches; well under 64 KB).</summary>
    public const int MaxSegments = 64;

    private const int MaxIpLength = 65535;
    private const byte TcpAck = 0x10;
    private const byte TcpPsh = 0x08;
    private const int TcpChecksumOffset = 16;

    private byte[]? _buffer;
    private int _length;
    private int _ipHeaderLength;
    private int _headerLength;
    private int _segmentSize;
    private int _segments;
    private uint _nextSequence;
    private bool _closed;

    /// <summary>Writes issued to the device (super-packets and single packets).</summary>
    public long Writes { get; private set; }

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
        if (!tun.SupportsSuperPackets || !IsCandidate(packet, out int ipHeaderLength, out int headerLength))
        {
            bool flushed = Flush(tun);
            Writes++;
            return tun.Write(packet) & flushed;
        }
        int payload = packet.Length - headerLength;
        if (_buffer is not null && CanAppend(packet, headerLength, payload))
        {
            packet[headerLength..].CopyTo(_buffer.AsSpan(_length));
            _length += payload;
            _nextSequence += (uint)payload;
            _segments++;
            byte flags = packet[ipHeaderLength + 13];
            if ((flags & TcpPsh) != 0)
            {
                _buffer[_ipHeaderLength + 13] |= TcpPsh;
            }
            // A short segment or PSH ends the super-packet (tcp_gro_receive flushes on both).
            _closed = payload < _segmentSize || (flags & TcpPsh) != 0 || _segments == MaxSegments;
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
        _nextSequence = BinaryPrimitives.ReadUInt32BigEndian(packet[(ipHeaderLength + 4)..]) + (uint)payload;
        _closed = (packet[ipHeaderLength + 13] & TcpPsh) != 0;
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
            ok = tun.Write(packet);
        }
        else
        {
            bool v6 = packet[0] >> 4 == 6;
            if (v6)
            {
                BinaryPrimitives.WriteUInt16BigEndian(packet[4..], (ushort)(_length - IpPacket.Ipv6HeaderLength));
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)_length);
                IpPacket.WriteIpv4HeaderChecksum(packet);
            }
            // VIRTIO 1.2 5.1.6.2: with NEEDS_CSUM the field holds the folded pseudo-header sum, not complemented
            // (what Linux's __tcp_v4_send_check leaves for a device), and the kernel finishes it per segment.
            ulong pseudo = IpPacket.PseudoHeaderSum(packet, v6, IpPacket.ProtocolTcp, _length - _ipHeaderLength);
            BinaryPrimitives.WriteUInt16BigEndian(packet[(_ipHeaderLength + TcpChecksumOffset)..], InternetChecksum.Fold(pseudo));
            var header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum,
                v6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4, (ushort)_headerLength, (ushort)_segmentSize,
                (ushort)_ipHeaderLength, TcpChecksumOffset);
            ok = tun.WriteSuperPacket(packet, header);
        }
        ArrayPool<byte>.Shared.Return(buffer);
        return ok;
    }

    /// <summary>A TCP segment with payload and only ACK (and maybe PSH), no IPv4 options/fragmentation, no IPv6
    /// extension headers.</summary>
    private static bool IsCandidate(ReadOnlySpan<byte> packet, out int ipHeaderLength, out int headerLength)
    {
        ipHeaderLength = 0;
        headerLength = 0;
        if (packet.Length < IpPacket.Ipv4MinHeaderLength)
        {
            return false;
        }
        if (packet[0] == 0x45)
        {
            // Protocol TCP, MF clear and fragment offset 0 (RFC 791 3.1).
            if (packet[9] != IpPacket.ProtocolTcp || (BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x3FFF) != 0)
            {
                return false;
            }
            ipHeaderLength = IpPacket.Ipv4MinHeaderLength;
        }
        else if (packet[0] >> 4 == 6 && packet.Length >= IpPacket.Ipv6HeaderLength && packet[6] == IpPacket.ProtocolTcp)
        {
            ipHeaderLength = IpPacket.Ipv6HeaderLength;
        }
        else
        {
            return false;
        }
        if (packet.Length < ipHeaderLength + 20)
        {
            return false;
        }
        int tcpHeaderLength = (packet[ipHeaderLength + 12] >> 4) * 4;
        byte flags = packet[ipHeaderLength + 13];
        headerLength = ipHeaderLength + tcpHeaderLength;
        return tcpHeaderLength >= 20 && headerLength < packet.Length
            && (flags & TcpAck) != 0 && (flags & ~(TcpAck | TcpPsh)) == 0;
    }

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
            return false;
        }
        // Ports, then ACK number, then the options (equal, as tcp_gro_receive requires); the sequence number follows on.
        return packet.Slice(ip, 4).SequenceEqual(pending.Slice(ip, 4))
            && packet.Slice(ip + 8, 4).SequenceEqual(pending.Slice(ip + 8, 4))
            && packet[(ip + 20)..headerLength].SequenceEqual(pending[(ip + 20)..headerLength])
            && BinaryPrimitives.ReadUInt32BigEndian(packet[(ip + 4)..]) == _nextSequence;
    }
}
