using System.Buffers.Binary;
using System.Numerics;

namespace Gateway.Tunnel;

/// <summary>
/// The flow of an IP packet for the per-flow queues of <see cref="EgressQueue"/> (RFC 8290 4.1.1: a hash of the
/// 5-tuple, perturbed by a per-queue random value so that senders cannot aim at one bucket). Source and destination
/// address, protocol, and for TCP and UDP (not later fragments) the ports. IPv6 extension headers are not walked: such
/// packets hash by addresses and next header only. Anything that is not IPv4/IPv6 hashes to one value. Pure, no
/// allocation, never throws.
/// </summary>
internal static class FlowHash
{
    /// <summary>The 32-bit flow hash of <paramref name="packet"/> with <paramref name="seed"/>.</summary>
    public static uint Of(ReadOnlySpan<byte> packet, uint seed)
    {
        if (packet.Length >= IpPacket.Ipv4MinHeaderLength && packet[0] >> 4 == 4)
        {
            int ihl = (packet[0] & 0x0F) * 4;
            byte protocol = packet[9];
            uint h = Mix(seed, BinaryPrimitives.ReadUInt32LittleEndian(packet[12..]));
            h = Mix(h, BinaryPrimitives.ReadUInt32LittleEndian(packet[16..]));
            // RFC 791 3.1: fragment offset 0 means the transport header is in this packet.
            bool first = (BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x1FFF) == 0;
            uint ports = first && HasPorts(protocol) && ihl >= IpPacket.Ipv4MinHeaderLength && packet.Length >= ihl + 4
                ? BinaryPrimitives.ReadUInt32LittleEndian(packet[ihl..])
                : 0;
            return Finish(Mix(Mix(h, ports), protocol));
        }
        if (packet.Length >= IpPacket.Ipv6HeaderLength && packet[0] >> 4 == 6)
        {
            byte next = packet[6];
            uint h = seed;
            for (int offset = 8; offset < 40; offset += 4)
            {
                h = Mix(h, BinaryPrimitives.ReadUInt32LittleEndian(packet[offset..]));
            }
            uint ports = HasPorts(next) && packet.Length >= IpPacket.Ipv6HeaderLength + 4
                ? BinaryPrimitives.ReadUInt32LittleEndian(packet[IpPacket.Ipv6HeaderLength..])
                : 0;
            return Finish(Mix(Mix(h, ports), next));
        }
        return Finish(seed);
    }

    private static bool HasPorts(byte protocol) => protocol is IpPacket.ProtocolTcp or IpPacket.ProtocolUdp;

    // Murmur3's 32-bit block mix and finalizer: cheap, and every input bit reaches every output bit.
    private static uint Mix(uint h, uint k)
    {
        k *= 0xCC9E2D51;
        k = BitOperations.RotateLeft(k, 15);
        k *= 0x1B873593;
        h ^= k;
        h = BitOperations.RotateLeft(h, 13);
        return h * 5 + 0xE6546B64;
    }

    private static uint Finish(uint h)
    {
        h ^= h >> 16;
        h *= 0x85EBCA6B;
        h ^= h >> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >> 16);
    }
}
