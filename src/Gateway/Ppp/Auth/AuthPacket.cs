using System.Buffers.Binary;

namespace Gateway.Ppp.Auth;

/// <summary>
/// The Code/Identifier/Length header shared by PAP (RFC 1334 2.2), CHAP (RFC 1994 4) and EAP (RFC 3748 4).
/// </summary>
internal static class AuthPacket
{
    public const int HeaderLength = 4;

    /// <summary>
    /// Reads the header. False (silently discard, RFC 1661 5) when shorter than the header or when Length is
    /// below 4 or beyond the received bytes; bytes after Length are padding and ignored.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out byte code, out byte identifier, out ReadOnlySpan<byte> data)
    {
        code = 0;
        identifier = 0;
        data = default;
        if (packet.Length < HeaderLength)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (length < HeaderLength || length > packet.Length)
        {
            return false;
        }

        code = packet[0];
        identifier = packet[1];
        data = packet[HeaderLength..length];
        return true;
    }

    /// <summary>A new packet of <paramref name="dataLength"/> data bytes with its header written.</summary>
    public static byte[] Create(byte code, byte identifier, int dataLength)
    {
        var packet = new byte[HeaderLength + dataLength];
        packet[0] = code;
        packet[1] = identifier;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        return packet;
    }

    /// <summary>A packet whose data is <paramref name="data"/> (PAP Ack/Nak, CHAP Success/Failure messages, EAP Success/Failure).</summary>
    public static byte[] Create(byte code, byte identifier, ReadOnlySpan<byte> data)
    {
        byte[] packet = Create(code, identifier, data.Length);
        data.CopyTo(packet.AsSpan(HeaderLength));
        return packet;
    }
}
