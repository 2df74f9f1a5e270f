using System.Buffers.Binary;

namespace Gateway.Tests.Tunnel;

/// <summary>
/// Captured-style packets (Linux and Windows SYN option layouts) built by an independent Python script with
/// valid IP and TCP checksums, and the exact bytes expected after clamping to a 1400-byte MTU (MSS 1360 / 1340).
/// </summary>
internal static class TestPackets
{
    public const string V4Syn = "4500003c1c464000400607ca0ad500020ad501019c4001bb8a3b51c200000000a002faf017620000020405b40402080a0016a4f10000000001030307";
    public const string V4SynClamped = "4500003c1c464000400607ca0ad500020ad501019c4001bb8a3b51c200000000a002faf017c60000020405500402080a0016a4f10000000001030307";
    public const string V4SynAck = "450000341c464000400607d20ad501010ad5000201bb9c40112233448a3b51c38012faf09f020000020405b40103030801010402";
    public const string V4SynAckClamped = "450000341c464000400607d20ad501010ad5000201bb9c40112233448a3b51c38012faf09f660000020405500103030801010402";
    public const string V4SynOdd = "450000301c464000400607d60ad500020ad501019c41005001020304000000007002faf0239c000001020405b4010101";
    public const string V4SynOddClamped = "450000301c464000400607d60ad500020ad501019c41005001020304000000007002faf0879c00000102040550010101";
    public const string V4SynNoMss = "450000381c464000400607ce0ad500020ad501019c42005000000005000000009002faf0b18600000402080a000000010000000001030307";
    public const string V4SynSmallMss = "4500002c1c464000400607da0ad500020ad501019c43005000000005000000006002faf0eaf40000020404b0";
    public const string V4Ack = "4500002d1c464000400607d90ad500020ad501019c4001bb8a3b51c3112233455010faf09bfe000068656c6c6f";
    public const string V6Syn = "6001234500280640fd000213000000000000000000000002fd0002130001000000000000000000019c4001bb8a3b51c200000000a002faf02ff70000020405a00402080a0016a4f10000000001030307";
    public const string V6SynClamped = "6001234500280640fd000213000000000000000000000002fd0002130001000000000000000000019c4001bb8a3b51c200000000a002faf0305b00000204053c0402080a0016a4f10000000001030307";
    public const string V6SynAck = "60012345001c0640fd000213000100000000000000000001fd00021300000000000000000000000201bb9c40000000078a3b51c37012faf010060000020405a001010402";
    public const string V6SynAckClamped = "60012345001c0640fd000213000100000000000000000001fd00021300000000000000000000000201bb9c40000000078a3b51c37012faf0106a00000204053c01010402";
    public const string V6SynHopByHop = "6001234500200040fd000213000000000000000000000002fd00021300010000000000000000000106000104000000009c44001600000009000000006002faf002bb0000020405a0";
    public const string V6SynHopByHopClamped = "6001234500200040fd000213000000000000000000000002fd00021300010000000000000000000106000104000000009c44001600000009000000006002faf0031f00000204053c";

    public static byte[] Bytes(string hex) => Convert.FromHexString(hex);

    /// <summary>Naive RFC 1071 checksum over the concatenation of the parts (independent of InternetChecksum).</summary>
    public static ushort NaiveSum(params byte[][] parts)
    {
        var all = parts.SelectMany(p => p).ToList();
        if (all.Count % 2 == 1)
        {
            all.Add(0);
        }
        long sum = 0;
        for (int i = 0; i < all.Count; i += 2)
        {
            sum += (all[i] << 8) | all[i + 1];
        }
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)sum;
    }

    /// <summary>True when the transport checksum (TCP/UDP/ICMP) and, for IPv4, the header checksum verify.</summary>
    public static bool ChecksumsValid(byte[] packet)
    {
        if (packet[0] >> 4 == 4)
        {
            int ihl = (packet[0] & 0xF) * 4;
            int total = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2));
            byte proto = packet[9];
            byte[] segment = packet[ihl..total];
            if (NaiveSum(packet[..ihl]) != 0xFFFF)
            {
                return false;
            }
            if (proto == 1)
            {
                return NaiveSum(segment) == 0xFFFF;
            }
            byte[] pseudo = [.. packet[12..20], 0, proto, (byte)(segment.Length >> 8), (byte)segment.Length];
            return NaiveSum(pseudo, segment) == 0xFFFF;
        }
        else
        {
            int payload = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(4));
            int offset = 40;
            byte next = packet[6];
            while (next is 0 or 43 or 60)
            {
                next = packet[offset];
                offset += (packet[offset + 1] + 1) * 8;
            }
            byte[] segment = packet[offset..(40 + payload)];
            byte[] pseudo = [.. packet[8..40], 0, 0, (byte)(segment.Length >> 8), (byte)segment.Length, 0, 0, 0, next];
            return NaiveSum(pseudo, segment) == 0xFFFF;
        }
    }

    /// <summary>An IPv4/UDP packet with valid checksums.</summary>
    public static byte[] Udp4(string source, string destination, ushort sourcePort, ushort destinationPort, byte[] payload)
    {
        byte[] p = new byte[28 + payload.Length];
        p[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), 0x4242);
        p[6] = 0x40;
        p[8] = 64;
        p[9] = 17;
        System.Net.IPAddress.Parse(source).TryWriteBytes(p.AsSpan(12), out _);
        System.Net.IPAddress.Parse(destination).TryWriteBytes(p.AsSpan(16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), (ushort)~NaiveSum(p[..20]));
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(20), sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(22), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(24), (ushort)(8 + payload.Length));
        payload.CopyTo(p, 28);
        byte[] pseudo = [.. p[12..20], 0, 17, (byte)((8 + payload.Length) >> 8), (byte)(8 + payload.Length)];
        ushort udp = (ushort)~NaiveSum(pseudo, p[20..]);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(26), udp == 0 ? (ushort)0xFFFF : udp);
        return p;
    }

    /// <summary>An IPv6/UDP packet (checksums not needed by the tests that use it).</summary>
    public static byte[] Udp6(string source, string destination, int payloadLength)
    {
        byte[] p = new byte[48 + payloadLength];
        p[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), (ushort)(8 + payloadLength));
        p[6] = 17;
        p[7] = 64;
        System.Net.IPAddress.Parse(source).TryWriteBytes(p.AsSpan(8), out _);
        System.Net.IPAddress.Parse(destination).TryWriteBytes(p.AsSpan(24), out _);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(44), (ushort)(8 + payloadLength));
        return p;
    }

    public static uint V4(string address) => Gateway.Tunnel.IpPacket.ToUInt32(System.Net.IPAddress.Parse(address));

    public static UInt128 V6(string address) => Gateway.Tunnel.IpPacket.ToUInt128(System.Net.IPAddress.Parse(address));
}
