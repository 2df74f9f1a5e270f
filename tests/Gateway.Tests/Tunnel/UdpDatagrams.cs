using System.Buffers.Binary;
using System.Net;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

/// <summary>UDP datagrams over IPv4 or IPv6 with every header field under the test's control and valid checksums.</summary>
internal static class UdpDatagrams
{
    public static byte[] Build(string source, string destination, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload,
        ushort id = 1, bool dontFragment = true, byte tos = 0, byte ttl = 64)
    {
        IPAddress src = IPAddress.Parse(source);
        bool v6 = src.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        int ip = v6 ? IpPacket.Ipv6HeaderLength : IpPacket.Ipv4MinHeaderLength;
        byte[] p = new byte[ip + 8 + payload.Length];
        if (v6)
        {
            p[0] = (byte)(0x60 | tos >> 4);
            p[1] = (byte)(tos << 4);
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), (ushort)(8 + payload.Length));
            p[6] = IpPacket.ProtocolUdp;
            p[7] = ttl;
            src.TryWriteBytes(p.AsSpan(8), out _);
            IPAddress.Parse(destination).TryWriteBytes(p.AsSpan(24), out _);
        }
        else
        {
            p[0] = 0x45;
            p[1] = tos;
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), id);
            p[6] = dontFragment ? (byte)0x40 : (byte)0;
            p[8] = ttl;
            p[9] = IpPacket.ProtocolUdp;
            src.TryWriteBytes(p.AsSpan(12), out _);
            IPAddress.Parse(destination).TryWriteBytes(p.AsSpan(16), out _);
            IpPacket.WriteIpv4HeaderChecksum(p);
        }
        Span<byte> udp = p.AsSpan(ip);
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udp.Length);
        payload.CopyTo(udp[8..]);
        ulong sum = IpPacket.PseudoHeaderSum(p, v6, IpPacket.ProtocolUdp, udp.Length);
        ushort checksum = (ushort)~InternetChecksum.Fold(InternetChecksum.Add(sum, udp));
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], checksum == 0 ? (ushort)0xFFFF : checksum);
        return p;
    }

    /// <summary>A payload whose bytes tell datagram <paramref name="index"/> apart.</summary>
    public static byte[] Payload(int index, int length)
    {
        byte[] payload = new byte[length];
        for (int i = 0; i < length; i++)
        {
            payload[i] = (byte)(index * 31 + i);
        }
        return payload;
    }
}
