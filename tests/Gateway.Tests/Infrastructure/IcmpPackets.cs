using System.Buffers.Binary;
using System.Net;
using Gateway.Tunnel;

namespace Gateway.Tests.Infrastructure;

/// <summary>Builds valid IPv4 ICMP echo requests for tests that talk through a tunnel without a TUN device.</summary>
public static class IcmpPackets
{
    public static byte[] EchoRequest(IPAddress source, IPAddress destination, ushort sequence = 1, int payload = 32)
    {
        byte[] p = new byte[28 + payload];
        p[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
        p[8] = 64;
        p[9] = 1;
        source.TryWriteBytes(p.AsSpan(12), out _);
        destination.TryWriteBytes(p.AsSpan(16), out _);
        IpPacket.WriteIpv4HeaderChecksum(p);
        p[20] = 8;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(24), 0x4747);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(26), sequence);
        for (int i = 0; i < payload; i++)
        {
            p[28 + i] = (byte)i;
        }

        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(22), InternetChecksum.Compute(p.AsSpan(20)));
        return p;
    }
}
