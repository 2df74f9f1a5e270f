using System.Buffers.Binary;

namespace Gateway.Sstp;

/// <summary>The 4-byte header common to data and control packets ([MS-SSTP] 2.2.1).</summary>
public readonly record struct SstpPacketHeader(bool IsControl, int Length)
{
    /// <summary>
    /// Validates and decodes a header from the first 4 bytes of <paramref name="source"/> (which must hold at
    /// least 4 bytes). Checks version 0x10, the reserved bits, and the minimum lengths (4 for data, 8 for control).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out SstpPacketHeader header, out SstpParseError error)
    {
        header = default;
        if (source.Length < SstpConstants.HeaderLength)
        {
            error = SstpParseError.PacketTooShort;
            return false;
        }

        if (source[0] != SstpConstants.Version)
        {
            error = SstpParseError.UnsupportedVersion;
            return false;
        }

        if ((source[1] & ~SstpConstants.ControlBit) != 0)
        {
            error = SstpParseError.ReservedFlagBitsSet;
            return false;
        }

        ushort lengthPacket = BinaryPrimitives.ReadUInt16BigEndian(source[2..]);
        if ((lengthPacket & ~SstpConstants.LengthMask) != 0)
        {
            error = SstpParseError.ReservedLengthBitsSet;
            return false;
        }

        bool isControl = (source[1] & SstpConstants.ControlBit) != 0;
        int length = lengthPacket;
        if (length < SstpConstants.HeaderLength)
        {
            error = SstpParseError.PacketTooShort;
            return false;
        }

        if (isControl && length < SstpConstants.ControlHeaderLength)
        {
            error = SstpParseError.ControlPacketTooShort;
            return false;
        }

        header = new SstpPacketHeader(isControl, length);
        error = SstpParseError.None;
        return true;
    }

    /// <summary>Writes a header for a packet of <paramref name="length"/> bytes in total (4..4095).</summary>
    public static void Write(Span<byte> destination, bool isControl, int length)
    {
        if ((uint)(length - SstpConstants.HeaderLength) > SstpConstants.MaxPayloadLength)
        {
            ThrowLength(length);
        }

        destination[0] = SstpConstants.Version;
        destination[1] = isControl ? SstpConstants.ControlBit : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)length);
    }

    private static void ThrowLength(int length) =>
        throw new ArgumentOutOfRangeException(nameof(length), length, "An SSTP packet is 4..4095 bytes long (MS-SSTP 2.2.1).");
}
