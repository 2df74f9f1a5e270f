using System.Buffers.Binary;
using System.Net;
using Gateway.Ppp;
using Gateway.Ppp.Auth;

namespace Gateway.Tests.Sessions;

/// <summary>Test packets for the whole-call tests, and what tests read back off the recorded wire.</summary>
internal static class InMemoryCallPackets
{
    /// <summary>A real IPv4 ICMP Echo Request (RFC 792) with correct header and ICMP checksums.</summary>
    public static byte[] IcmpEcho(IPAddress source, IPAddress destination, ushort identifier, ushort sequence, int payloadLength = 56)
    {
        const int ipHeader = 20, icmpHeader = 8;
        var packet = new byte[ipHeader + icmpHeader + payloadLength];
        Span<byte> ip = packet;
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 0x1c46);
        ip[6] = 0x40; // DF
        ip[8] = 64;
        ip[9] = 1; // ICMP
        source.TryWriteBytes(ip[12..16], out _);
        destination.TryWriteBytes(ip[16..20], out _);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip[..ipHeader]));

        Span<byte> icmp = ip[ipHeader..];
        icmp[0] = 8;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], identifier);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], sequence);
        for (int i = 0; i < payloadLength; i++)
        {
            icmp[icmpHeader + i] = (byte)(0x10 + i);
        }

        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Checksum(icmp));
        return packet;
    }

    /// <summary>An IPv6 ICMPv6 Echo Request (RFC 4443 4.1) with the checksum over the RFC 8200 8.1 pseudo-header.</summary>
    public static byte[] Icmpv6Echo(IPAddress source, IPAddress destination, ushort identifier, ushort sequence, int payloadLength = 32)
    {
        const int ipHeader = 40, icmpHeader = 8;
        int icmpLength = icmpHeader + payloadLength;
        var packet = new byte[ipHeader + icmpLength];
        Span<byte> ip = packet;
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)icmpLength);
        ip[6] = 58; // ICMPv6
        ip[7] = 64;
        source.TryWriteBytes(ip[8..24], out _);
        destination.TryWriteBytes(ip[24..40], out _);
        Span<byte> icmp = ip[ipHeader..];
        icmp[0] = 128;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], identifier);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], sequence);
        for (int i = 0; i < payloadLength; i++)
        {
            icmp[icmpHeader + i] = (byte)(0x61 + (i % 26));
        }

        // Pseudo-header: source, destination, upper-layer length (32 bits), 3 zero bytes, next header.
        var pseudo = new byte[40 + icmpLength];
        ip[8..40].CopyTo(pseudo);
        BinaryPrimitives.WriteUInt32BigEndian(pseudo.AsSpan(32), (uint)icmpLength);
        pseudo[39] = 58;
        icmp.CopyTo(pseudo.AsSpan(40));
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Checksum(pseudo));
        return packet;
    }

    /// <summary>RFC 1071 one's complement checksum; 0 over data that includes a correct checksum.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if ((data.Length & 1) != 0)
        {
            sum += (uint)data[^1] << 8;
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    /// <summary>The PPP packets of <paramref name="protocol"/> one side wrote (including dropped ones).</summary>
    public static List<byte[]> PppPackets(InMemoryCall call, CallSide from, ushort protocol)
    {
        var list = new List<byte[]>();
        foreach (WirePacket packet in call.From(from))
        {
            if (packet.TryGetPpp(out ushort p, out byte[] information) && p == protocol)
            {
                list.Add(information);
            }
        }

        return list;
    }

    /// <summary>
    /// The 24-byte NT-Response of the client's MS-CHAPv2 Response as seen on the wire (RFC 2759 4: Value =
    /// Peer-Challenge 16, Reserved 8, NT-Response 24, Flags 1), inside CHAP or inside EAP type 26 (draft-kamath 2.2).
    /// </summary>
    public static byte[] NtResponseOnWire(InMemoryCall call, AuthMethod method)
    {
        ReadOnlySpan<byte> valueField;
        if (method == AuthMethod.MsChapV2)
        {
            // Code 2, Identifier, Length(2), Value-Size, Value.
            byte[] response = Assert.Single(PppPackets(call, CallSide.Client, PppProtocol.Chap), p => p[0] == 2);
            valueField = response.AsSpan(4);
        }
        else
        {
            // Code 2, Identifier, Length(2), Type 26, OpCode 2, MS-CHAPv2-ID, MS-Length(2), Value-Size, Value.
            byte[] response = Assert.Single(PppPackets(call, CallSide.Client, PppProtocol.Eap), p => p[0] == 2 && p.Length > 5 && p[4] == 26 && p[5] == 2);
            valueField = response.AsSpan(9);
        }

        Assert.Equal(49, valueField[0]);
        return valueField.Slice(1 + 24, 24).ToArray();
    }
}
