using System.Buffers.Binary;

namespace Gateway.Ppp;

/// <summary>
/// A control protocol packet (LCP, IPCP, IPv6CP): Code, Identifier, Length, Data (RFC 1661 5).
/// <see cref="Data"/> excludes the header and any padding after Length.
/// </summary>
public readonly ref struct CpPacket
{
    public const int HeaderLength = 4;

    public CpPacket(byte code, byte identifier, ReadOnlySpan<byte> data, ReadOnlySpan<byte> whole)
    {
        Code = code;
        Identifier = identifier;
        Data = data;
        Whole = whole;
    }

    public byte Code { get; }

    public byte Identifier { get; }

    /// <summary>Everything after the 4-byte header, up to Length.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>Header and data, up to Length (without padding).</summary>
    public ReadOnlySpan<byte> Whole { get; }

    /// <summary>Parses a packet. Octets past Length are padding and ignored (RFC 1661 5).</summary>
    public static CpParseStatus TryParse(ReadOnlySpan<byte> input, out CpPacket packet)
    {
        packet = default;
        if (input.Length < HeaderLength)
        {
            return CpParseStatus.TooShortForHeader;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(input[2..]);
        if (length < HeaderLength)
        {
            return CpParseStatus.LengthBelowHeader;
        }

        if (length > input.Length)
        {
            return CpParseStatus.LengthExceedsData;
        }

        packet = new CpPacket(input[0], input[1], input[HeaderLength..length], input[..length]);
        return CpParseStatus.Ok;
    }

    /// <summary>Writes Code, Identifier, Length and <paramref name="data"/>; returns the packet length.</summary>
    public static int Write(Span<byte> destination, byte code, byte identifier, ReadOnlySpan<byte> data)
    {
        int length = HeaderLength + data.Length;
        if (length > ushort.MaxValue || destination.Length < length)
        {
            throw new ArgumentException("Destination too small for the control packet.", nameof(destination));
        }

        destination[0] = code;
        destination[1] = identifier;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)length);
        data.CopyTo(destination[HeaderLength..]);
        return length;
    }

    /// <summary>
    /// Checks that <paramref name="options"/> is a well-formed sequence of Type-Length-Value options
    /// (RFC 1661 6: Length counts Type and Length, so at least 2).
    /// </summary>
    public static CpParseStatus ValidateOptions(ReadOnlySpan<byte> options)
    {
        int pos = 0;
        while (pos < options.Length)
        {
            if (options.Length - pos < 2)
            {
                return CpParseStatus.OptionTruncated;
            }

            int len = options[pos + 1];
            if (len < 2 || pos + len > options.Length)
            {
                return CpParseStatus.OptionLengthInvalid;
            }

            pos += len;
        }

        return CpParseStatus.Ok;
    }

    /// <summary>Enumerates options already checked with <see cref="ValidateOptions"/>; stops at the first malformed one.</summary>
    public static CpOptionEnumerator EnumerateOptions(ReadOnlySpan<byte> options) => new(options);
}
