using System.Buffers;

namespace Gateway.Sstp;

/// <summary>
/// Delineates SSTP packets in the byte stream that follows the duplex POST ([MS-SSTP] 2.2.1, 3.1.5.1).
/// The connection loop owns the pipe; this only looks at bytes.
/// </summary>
public static class SstpFrameReader
{
    /// <summary>
    /// Reads one packet from the front of <paramref name="buffer"/>. On <see cref="SstpReadStatus.Packet"/>,
    /// <paramref name="packet"/> is the whole packet (header included) and <paramref name="buffer"/> is advanced past
    /// it. On <see cref="SstpReadStatus.NeedMoreData"/> and <see cref="SstpReadStatus.Error"/> the buffer is unchanged.
    /// </summary>
    public static SstpReadStatus TryReadPacket(
        ref ReadOnlySequence<byte> buffer,
        out ReadOnlySequence<byte> packet,
        out SstpParseError error)
    {
        packet = default;
        if (buffer.Length < SstpConstants.HeaderLength)
        {
            error = SstpParseError.None;
            return SstpReadStatus.NeedMoreData;
        }

        SstpPacketHeader header;
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= SstpConstants.HeaderLength)
        {
            // Fast path: the header lies in the first segment (nearly always).
            if (!SstpPacketHeader.TryRead(first, out header, out error))
            {
                return SstpReadStatus.Error;
            }
        }
        else
        {
            Span<byte> head = stackalloc byte[SstpConstants.HeaderLength];
            buffer.Slice(0, SstpConstants.HeaderLength).CopyTo(head);
            if (!SstpPacketHeader.TryRead(head, out header, out error))
            {
                return SstpReadStatus.Error;
            }
        }

        if (buffer.Length < header.Length)
        {
            return SstpReadStatus.NeedMoreData;
        }

        packet = buffer.Slice(0, header.Length);
        buffer = buffer.Slice(packet.End);
        return SstpReadStatus.Packet;
    }

    /// <summary>
    /// Span form for callers that already hold contiguous bytes: the length of the first packet in
    /// <paramref name="buffer"/> is returned in <paramref name="packetLength"/>.
    /// </summary>
    public static SstpReadStatus TryReadPacket(ReadOnlySpan<byte> buffer, out int packetLength, out SstpParseError error)
    {
        packetLength = 0;
        if (buffer.Length < SstpConstants.HeaderLength)
        {
            error = SstpParseError.None;
            return SstpReadStatus.NeedMoreData;
        }

        if (!SstpPacketHeader.TryRead(buffer, out var header, out error))
        {
            return SstpReadStatus.Error;
        }

        if (buffer.Length < header.Length)
        {
            return SstpReadStatus.NeedMoreData;
        }

        packetLength = header.Length;
        return SstpReadStatus.Packet;
    }
}
