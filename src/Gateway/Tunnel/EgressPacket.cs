namespace Gateway.Tunnel;

/// <summary>
/// One packet taken from an <see cref="EgressQueue"/>: a pooled buffer the consumer owns until it calls
/// <see cref="Return"/> (exactly once).
/// </summary>
public readonly struct EgressPacket
{
    private readonly byte[]? _buffer;

    internal EgressPacket(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    /// <summary>The pooled buffer (the queue takes a packet back with it).</summary>
    internal byte[]? Buffer => _buffer;

    /// <summary>Length of the IP packet in bytes.</summary>
    public int Length { get; }

    /// <summary>The IP packet.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>The IP packet as memory (for async writes; valid until <see cref="Return"/>).</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>Gives the buffer back to the pool.</summary>
    public void Return()
    {
        if (_buffer is not null)
        {
            PacketBufferPool.Return(_buffer);
        }
    }
}
