using System.Buffers.Binary;

namespace Gateway.Ppp;

/// <summary>
/// PPP frame layout on SSTP (sstp-protocol.md 7.1): no HDLC flags, escaping or FCS; just
/// <c>[FF 03] Protocol(1|2) Information</c>. We accept address/control and protocol field compression
/// (RFC 1661 6.5, 6.6) on receive and always send the full <c>FF 03</c> + 2-byte protocol.
/// </summary>
public static class PppFrame
{
    /// <summary>All-Stations address (RFC 1662 3.1).</summary>
    public const byte Address = 0xFF;
    /// <summary>Unnumbered Information control (RFC 1662 3.1).</summary>
    public const byte Control = 0x03;

    /// <summary>What we prepend to every frame: FF 03 + 2-byte protocol.</summary>
    public const int HeaderLength = 4;

    /// <summary>
    /// Largest PPP frame that fits one SSTP data packet: the 12-bit SSTP length covers the 4-byte SSTP header
    /// (MS-SSTP 2.2.1), so 4095 - 4 = 4091 bytes of PPP frame.
    /// </summary>
    public const int MaxFrameLength = 4091;

    /// <summary>Largest information field we ever send (<see cref="MaxFrameLength"/> minus our header).</summary>
    public const int MaxInformationLength = MaxFrameLength - HeaderLength;

    /// <summary>RFC 1661 6.1: the MRU every implementation must accept.</summary>
    public const int DefaultMru = 1500;

    /// <summary>
    /// Splits a received frame. Address/control are optional (ACFC); the protocol is 1 byte iff its first byte is
    /// odd (PFC, RFC 1661 6.5); the low-order protocol byte must be odd (RFC 1661 2).
    /// </summary>
    public static PppFrameStatus TryParse(ReadOnlySpan<byte> frame, out ushort protocol, out int informationOffset)
    {
        protocol = 0;
        informationOffset = 0;
        int pos = 0;
        if (frame.Length >= 1 && frame[0] == Address)
        {
            if (frame.Length < 2 || frame[1] != Control)
            {
                return PppFrameStatus.InvalidProtocol;
            }

            pos = 2;
        }

        if (pos >= frame.Length)
        {
            return PppFrameStatus.Empty;
        }

        byte first = frame[pos];
        if ((first & 1) == 1)
        {
            protocol = first;
            informationOffset = pos + 1;
            return PppFrameStatus.Ok;
        }

        if (pos + 1 >= frame.Length)
        {
            return PppFrameStatus.TruncatedProtocol;
        }

        byte second = frame[pos + 1];
        if ((second & 1) == 0)
        {
            return PppFrameStatus.InvalidProtocol;
        }

        protocol = (ushort)((first << 8) | second);
        informationOffset = pos + 2;
        return PppFrameStatus.Ok;
    }

    /// <summary>Writes <c>FF 03</c> and the 2-byte protocol; returns <see cref="HeaderLength"/>.</summary>
    public static int WriteHeader(Span<byte> destination, ushort protocol)
    {
        if (destination.Length < HeaderLength)
        {
            ThrowDestinationTooSmall();
        }

        destination[0] = Address;
        destination[1] = Control;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], protocol);
        return HeaderLength;
    }

    /// <summary>Data path: writes <c>FF 03 00 21</c> in front of an IPv4 packet. Allocation-free.</summary>
    public static int WriteIPv4Header(Span<byte> destination) => WriteHeader(destination, PppProtocol.IPv4);

    /// <summary>Data path: writes <c>FF 03 00 57</c> in front of an IPv6 packet. Allocation-free.</summary>
    public static int WriteIPv6Header(Span<byte> destination) => WriteHeader(destination, PppProtocol.IPv6);

    /// <summary>The 4 header bytes for IPv4 data (<c>FF 03 00 21</c>), for callers that copy instead of write.</summary>
    public static ReadOnlySpan<byte> IPv4Header => [Address, Control, 0x00, 0x21];

    /// <summary>The 4 header bytes for IPv6 data (<c>FF 03 00 57</c>).</summary>
    public static ReadOnlySpan<byte> IPv6Header => [Address, Control, 0x00, 0x57];

    private static void ThrowDestinationTooSmall() =>
        throw new ArgumentException("Destination needs at least 4 bytes for the PPP header.", "destination");
}
