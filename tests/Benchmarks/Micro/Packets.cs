using System.Buffers.Binary;
using Gateway.Tunnel;

namespace Benchmarks.Micro;

/// <summary>Builds well-formed IPv4 packets (valid header and transport checksums) for the benchmarks.</summary>
public static class Packets
{
    /// <summary>IPv4/UDP packet of <paramref name="totalLength"/> bytes from 10.0.0.2:40000 to 10.1.0.1:9000.</summary>
    public static byte[] Udp(int totalLength, uint source = 0x0A000002, uint destination = 0x0A010001)
    {
        var p = new byte[totalLength];
        WriteIpv4(p, IpPacket.ProtocolUdp, source, destination);
        Span<byte> udp = p.AsSpan(20);
        BinaryPrimitives.WriteUInt16BigEndian(udp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 9000);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udp.Length);
        for (int i = 8; i < udp.Length; i++)
        {
            udp[i] = (byte)i;
        }
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], TransportChecksum(p, IpPacket.ProtocolUdp));
        return p;
    }

    /// <summary>IPv4/TCP segment with 20 bytes of TCP header, or a SYN with the MSS option when <paramref name="mss"/> is given.</summary>
    public static byte[] Tcp(int payloadLength, ushort? mss)
    {
        int tcpHeader = mss is null ? 20 : 24;
        var p = new byte[20 + tcpHeader + payloadLength];
        WriteIpv4(p, IpPacket.ProtocolTcp, 0x0A000002, 0x0A010001);
        Span<byte> tcp = p.AsSpan(20);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], 443);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], 1);
        tcp[12] = (byte)(tcpHeader / 4 << 4);
        tcp[13] = mss is null ? (byte)0x10 : (byte)0x02; // ACK, or SYN
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 64240);
        if (mss is { } m)
        {
            tcp[20] = 2;
            tcp[21] = 4;
            BinaryPrimitives.WriteUInt16BigEndian(tcp[22..], m);
        }
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], TransportChecksum(p, IpPacket.ProtocolTcp));
        return p;
    }

    private static void WriteIpv4(Span<byte> p, byte protocol, uint source, uint destination)
    {
        p[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(p[2..], (ushort)p.Length);
        BinaryPrimitives.WriteUInt16BigEndian(p[4..], 1);
        p[8] = 64;
        p[9] = protocol;
        BinaryPrimitives.WriteUInt32BigEndian(p[12..], source);
        BinaryPrimitives.WriteUInt32BigEndian(p[16..], destination);
        BinaryPrimitives.WriteUInt16BigEndian(p[10..], InternetChecksum.Compute(p[..20]));
    }

    /// <summary>RFC 768 / RFC 9293 3.1 checksum over the IPv4 pseudo-header and the transport segment.</summary>
    private static ushort TransportChecksum(ReadOnlySpan<byte> p, byte protocol)
    {
        Span<byte> pseudo = stackalloc byte[12];
        p.Slice(12, 8).CopyTo(pseudo);
        pseudo[9] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(pseudo[10..], (ushort)(p.Length - 20));
        ulong sum = InternetChecksum.Add(InternetChecksum.Add(0, pseudo), p[20..]);
        ushort c = (ushort)~InternetChecksum.Fold(sum);
        return c == 0 && protocol == IpPacket.ProtocolUdp ? (ushort)0xFFFF : c;
    }
}
