using System.Buffers.Binary;

namespace Gateway.Sstp;

/// <summary>
/// Data-path helpers: an SSTP data packet is the 4-byte header with C = 0 followed by exactly one raw PPP frame
/// ([MS-SSTP] 2.2.1, 3.1.5.2; no HDLC framing). Nothing here allocates.
/// </summary>
public static class SstpFrameWriter
{
    /// <summary>Bytes in front of an IP packet: SSTP header (4), <c>FF 03</c>, protocol (2).</summary>
    public const int DataPrefixLength = SstpConstants.HeaderLength + 4;

    /// <summary>Largest IP packet <see cref="WriteDataPrefix"/> accepts (4095 - 8).</summary>
    public const int MaxIpPacketLength = SstpConstants.MaxPacketLength - DataPrefixLength;

    /// <summary>
    /// Writes the data header for a PPP frame of <paramref name="pppFrameLength"/> bytes into the 4 bytes of
    /// <paramref name="destination"/> in front of it. Returns 4.
    /// </summary>
    public static int WriteDataHeader(Span<byte> destination, int pppFrameLength)
    {
        SstpPacketHeader.Write(destination, isControl: false, pppFrameLength + SstpConstants.HeaderLength);
        return SstpConstants.HeaderLength;
    }

    /// <summary>
    /// Writes <c>10 00 LL LL FF 03 PP PP</c>: the SSTP data header and an uncompressed PPP header (address,
    /// control, 2-byte protocol) for an information field of <paramref name="payloadLength"/> bytes. Full headers
    /// are always acceptable to the peer (RFC 1661 6.5 / 6.6: compression is only permitted, never required).
    /// Returns 8.
    /// </summary>
    public static int WriteDataPrefix(Span<byte> destination, ushort pppProtocol, int payloadLength)
    {
        SstpPacketHeader.Write(destination, isControl: false, payloadLength + DataPrefixLength);
        destination[4] = 0xFF;
        destination[5] = 0x03;
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], pppProtocol);
        return DataPrefixLength;
    }
}
