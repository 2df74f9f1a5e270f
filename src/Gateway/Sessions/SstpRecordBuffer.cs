using System.Buffers;
using Gateway.Sstp;

namespace Gateway.Sessions;

/// <summary>
/// The bytes of one TLS record being put together by <see cref="SstpPump"/>: whole SSTP packets, at most
/// <see cref="Capacity"/> bytes of them (a larger run of control packets is the only exception). The array is rented
/// from <see cref="ArrayPool{T}.Shared"/> on the first append and given back by <see cref="Release"/>, so an idle
/// session holds none. Remembers where the last packet starts, for the pump's tail rule.
/// </summary>
internal sealed class SstpRecordBuffer
{
    /// <summary>Most plaintext bytes in one TLS record: 2^14 (RFC 8446 5.1, RFC 5246 6.2.1).</summary>
    public const int Capacity = 16 * 1024;

    private byte[]? _buffer;

    /// <summary>Bytes appended so far.</summary>
    public int Used { get; private set; }

    /// <summary>Where the last appended packet starts (0 with one packet or none).</summary>
    public int LastPacketStart { get; private set; }

    /// <summary>Bytes a further data packet may take.</summary>
    public int Room => Math.Max(0, Capacity - Used);

    /// <summary>True while an array is rented (tests: an idle pump holds none).</summary>
    public bool IsRented => _buffer is not null;

    /// <summary>Appended bytes from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public ReadOnlyMemory<byte> Slice(int start, int end) => _buffer.AsMemory(start, end - start);

    /// <summary>
    /// Appends already encoded SSTP packets (the engine's control output: control messages and PPP control frames,
    /// each a whole packet). Grows past <see cref="Capacity"/> only if they do not fit otherwise.
    /// </summary>
    public void AppendPackets(ReadOnlySpan<byte> packets)
    {
        Span<byte> destination = Reserve(packets.Length);
        packets.CopyTo(destination);
        int start = Used - packets.Length;
        int offset = 0;
        // The engines write only valid headers; an invalid one would stop the walk rather than loop.
        while (offset < packets.Length && SstpPacketHeader.TryRead(packets[offset..], out SstpPacketHeader header, out _))
        {
            LastPacketStart = start + offset;
            offset += header.Length;
        }
    }

    /// <summary>
    /// Space for one packet of <paramref name="length"/> bytes (the caller fills all of it). Rents the array on first use.
    /// </summary>
    public Span<byte> AppendPacket(int length)
    {
        Span<byte> span = Reserve(length);
        LastPacketStart = Used - length;
        return span;
    }

    /// <summary>Forgets the content, keeps the array (more records follow).</summary>
    public void Clear()
    {
        Used = 0;
        LastPacketStart = 0;
    }

    /// <summary>Forgets the content and gives the array back to the pool (the queue is drained).</summary>
    public void Release()
    {
        Clear();
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private Span<byte> Reserve(int length)
    {
        int needed = Used + length;
        if (_buffer is null || _buffer.Length < needed)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(Capacity, needed));
            if (_buffer is { } old)
            {
                old.AsSpan(0, Used).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(old);
            }

            _buffer = larger;
        }

        Span<byte> span = _buffer.AsSpan(Used, length);
        Used = needed;
        return span;
    }
}
