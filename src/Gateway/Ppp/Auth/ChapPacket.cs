using System.Text;

namespace Gateway.Ppp.Auth;

/// <summary>CHAP packet layouts (RFC 1994 4), shared by CHAP-MD5 and MS-CHAPv2 (RFC 2759 3-6).</summary>
internal static class ChapPacket
{
    /// <summary>PPP protocol number of CHAP (RFC 1994 4).</summary>
    public const ushort Protocol = 0xC223;

    /// <summary>RFC 1994 4 codes.</summary>
    public const byte Challenge = 1, Response = 2, Success = 3, Failure = 4;

    /// <summary>
    /// Challenge/Response data: Value-Size(1), Value, Name (rest of the packet). False when Value-Size runs past the data.
    /// </summary>
    public static bool TryParseValue(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> value, out ReadOnlySpan<byte> name)
    {
        value = default;
        name = default;
        if (data.Length < 1 || data.Length < 1 + data[0])
        {
            return false;
        }

        value = data.Slice(1, data[0]);
        name = data[(1 + data[0])..];
        return true;
    }

    /// <summary>A Challenge or Response: Value-Size, Value, Name.</summary>
    public static byte[] CreateValue(byte code, byte identifier, ReadOnlySpan<byte> value, ReadOnlySpan<byte> name)
    {
        byte[] packet = AuthPacket.Create(code, identifier, 1 + value.Length + name.Length);
        Span<byte> data = packet.AsSpan(AuthPacket.HeaderLength);
        data[0] = (byte)value.Length;
        value.CopyTo(data[1..]);
        name.CopyTo(data[(1 + value.Length)..]);
        return packet;
    }

    /// <summary>A Success or Failure whose data is the ASCII message (RFC 1994 4.2, RFC 2759 5/6).</summary>
    public static byte[] CreateMessage(byte code, byte identifier, string message) =>
        AuthPacket.Create(code, identifier, Encoding.ASCII.GetBytes(message));
}
