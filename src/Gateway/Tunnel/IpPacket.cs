using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Tunnel;

/// <summary>
/// Pure, allocation-free IPv4/IPv6 header parsing and address conversions. Never throws on malformed input:
/// every bad case is an <see cref="IpParseStatus"/>.
/// </summary>
public static class IpPacket
{
    /// <summary>RFC 791 3.1: minimum IPv4 header, IHL = 5.</summary>
    public const int Ipv4MinHeaderLength = 20;

    /// <summary>RFC 8200 3: fixed IPv6 header.</summary>
    public const int Ipv6HeaderLength = 40;

    /// <summary>IANA protocol numbers used here (RFC 9293 for TCP, RFC 768 UDP, RFC 792 ICMP, RFC 4443 ICMPv6).</summary>
    public const byte ProtocolIcmp = 1;
    public const byte ProtocolTcp = 6;
    public const byte ProtocolUdp = 17;
    public const byte ProtocolIcmpV6 = 58;

    /// <summary>Parses and bounds-checks the IP header at the start of <paramref name="packet"/>.</summary>
    public static IpParseStatus TryParse(ReadOnlySpan<byte> packet, out IpHeader header)
    {
        header = default;
        if (packet.IsEmpty)
        {
            return IpParseStatus.Empty;
        }
        int version = packet[0] >> 4;
        if (version == 4)
        {
            if (packet.Length < Ipv4MinHeaderLength)
            {
                return IpParseStatus.TruncatedHeader;
            }
            int ihl = (packet[0] & 0x0F) * 4;
            if (ihl < Ipv4MinHeaderLength || ihl > packet.Length)
            {
                return IpParseStatus.BadHeaderLength;
            }
            int total = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(2, 2));
            if (total < ihl || total > packet.Length)
            {
                return IpParseStatus.BadTotalLength;
            }
            uint src = BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(12, 4));
            uint dst = BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(16, 4));
            header = new IpHeader(4, ihl, total, packet[9], src, dst);
            return IpParseStatus.Ok;
        }
        if (version == 6)
        {
            if (packet.Length < Ipv6HeaderLength)
            {
                return IpParseStatus.TruncatedHeader;
            }
            int payload = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(4, 2));
            if (payload == 0 || Ipv6HeaderLength + payload > packet.Length)
            {
                return IpParseStatus.BadTotalLength;
            }
            UInt128 src = BinaryPrimitives.ReadUInt128BigEndian(packet.Slice(8, 16));
            UInt128 dst = BinaryPrimitives.ReadUInt128BigEndian(packet.Slice(24, 16));
            header = new IpHeader(6, Ipv6HeaderLength, Ipv6HeaderLength + payload, packet[6], src, dst);
            return IpParseStatus.Ok;
        }
        return IpParseStatus.UnsupportedVersion;
    }

    /// <summary>Computes and stores the IPv4 header checksum (RFC 791 3.1) of the header at the start of <paramref name="packet"/>.</summary>
    public static void WriteIpv4HeaderChecksum(Span<byte> packet)
    {
        int ihl = (packet[0] & 0x0F) * 4;
        packet[10] = 0;
        packet[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(packet.Slice(10, 2), InternetChecksum.Compute(packet[..ihl]));
    }

    /// <summary>
    /// Sum of the TCP/UDP pseudo-header (RFC 9293 3.1 for IPv4, RFC 8200 8.1 for IPv6) for the packet whose
    /// header is <paramref name="header"/>, with <paramref name="upperLayerLength"/> bytes of transport data.
    /// </summary>
    public static ulong PseudoHeaderSum(ReadOnlySpan<byte> packet, in IpHeader header, byte protocol, int upperLayerLength) =>
        PseudoHeaderSum(packet, !header.IsIpv4, protocol, upperLayerLength);

    /// <summary>As above, for a packet whose IP version the caller already knows (no parsed header needed).</summary>
    public static ulong PseudoHeaderSum(ReadOnlySpan<byte> packet, bool isIpv6, byte protocol, int upperLayerLength)
    {
        // The source and destination addresses: bytes 12-19 of an IPv4 header, 8-39 of an IPv6 header.
        ulong sum = isIpv6
            ? InternetChecksum.Add(0, packet.Slice(8, 32))
            : InternetChecksum.Add(0, packet.Slice(12, 8));
        sum += protocol;
        sum += (uint)upperLayerLength;
        return sum;
    }

    /// <summary>Host-order IPv4 address from an <see cref="IPAddress"/>.</summary>
    public static uint ToUInt32(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("Not an IPv4 address.", nameof(address));
        }
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    /// <summary>Host-order IPv6 address from an <see cref="IPAddress"/>.</summary>
    public static UInt128 ToUInt128(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException("Not an IPv6 address.", nameof(address));
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary><see cref="IPAddress"/> from a host-order IPv4 address (allocates; not for the hot path).</summary>
    public static IPAddress ToIPAddress(uint address)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return new IPAddress(bytes);
    }

    /// <summary><see cref="IPAddress"/> from a host-order IPv6 address (allocates; not for the hot path).</summary>
    public static IPAddress ToIPAddress(UInt128 address)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return new IPAddress(bytes);
    }
}
