using System.Buffers.Binary;
using System.Net;
using Gateway.Tunnel;

namespace SstpBench;

/// <summary>IPv4 packets the bench sends through the tunnel, with correct header and transport checksums.</summary>
internal static class IpPackets
{
    private const byte Udp = 17;
    private const byte Icmp = 1;

    /// <summary>A UDP datagram of <paramref name="totalLength"/> IP bytes (minimum 28).</summary>
    public static byte[] UdpPacket(IPAddress source, ushort sourcePort, IPAddress destination, ushort destinationPort, int totalLength)
    {
        var p = new byte[Math.Max(totalLength, 28)];
        WriteIpv4(p, Udp, source, destination, 1);
        Span<byte> udp = p.AsSpan(20);
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udp.Length);
        for (int i = 8; i < udp.Length; i++)
        {
            udp[i] = (byte)(i * 7);
        }
        ushort c = PseudoChecksum(p, Udp);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], c == 0 ? (ushort)0xFFFF : c);
        return p;
    }

    /// <summary>ICMP echo request (RFC 792) with a 56-byte payload.</summary>
    public static byte[] EchoRequest(IPAddress source, IPAddress destination, ushort id, ushort sequence)
    {
        var p = new byte[20 + 8 + 56];
        WriteIpv4(p, Icmp, source, destination, sequence);
        Span<byte> icmp = p.AsSpan(20);
        icmp[0] = 8;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], id);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], sequence);
        for (int i = 8; i < icmp.Length; i++)
        {
            icmp[i] = (byte)i;
        }
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], InternetChecksum.Compute(icmp));
        return p;
    }

    /// <summary>True for an ICMP echo reply with identifier <paramref name="id"/>; returns its sequence number.</summary>
    public static bool IsEchoReply(ReadOnlySpan<byte> p, ushort id, out ushort sequence)
    {
        sequence = 0;
        if (p.Length < 28 || p[0] >> 4 != 4 || p[9] != Icmp)
        {
            return false;
        }
        int ihl = (p[0] & 0x0F) * 4;
        if (p.Length < ihl + 8 || p[ihl] != 0 || BinaryPrimitives.ReadUInt16BigEndian(p[(ihl + 4)..]) != id)
        {
            return false;
        }
        sequence = BinaryPrimitives.ReadUInt16BigEndian(p[(ihl + 6)..]);
        return true;
    }

    private static void WriteIpv4(Span<byte> p, byte protocol, IPAddress source, IPAddress destination, ushort id)
    {
        p[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(p[2..], (ushort)p.Length);
        BinaryPrimitives.WriteUInt16BigEndian(p[4..], id);
        p[6] = 0x40; // DF
        p[8] = 64;
        p[9] = protocol;
        source.TryWriteBytes(p[12..16], out _);
        destination.TryWriteBytes(p[16..20], out _);
        BinaryPrimitives.WriteUInt16BigEndian(p[10..], InternetChecksum.Compute(p[..20]));
    }

    /// <summary>RFC 768: checksum over the IPv4 pseudo-header and the whole UDP datagram.</summary>
    private static ushort PseudoChecksum(ReadOnlySpan<byte> p, byte protocol)
    {
        Span<byte> pseudo = stackalloc byte[12];
        p.Slice(12, 8).CopyTo(pseudo);
        pseudo[9] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(pseudo[10..], (ushort)(p.Length - 20));
        return (ushort)~InternetChecksum.Fold(InternetChecksum.Add(InternetChecksum.Add(0, pseudo), p[20..]));
    }
}
