using System.Buffers.Binary;

namespace Gateway.Ppp;

/// <summary>A growable list of encoded options, reused across packets of one negotiation (control path only).</summary>
public sealed class CpOptionBuffer
{
    private byte[] _bytes = new byte[64];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _bytes.AsSpan(0, Length);

    public bool IsEmpty => Length == 0;

    public void Clear() => Length = 0;

    /// <summary>Appends an option TLV verbatim (for Configure-Reject).</summary>
    public void AddRaw(ReadOnlySpan<byte> option)
    {
        Ensure(option.Length);
        option.CopyTo(_bytes.AsSpan(Length));
        Length += option.Length;
    }

    public void Add(byte type, ReadOnlySpan<byte> value)
    {
        if (value.Length > 253)
        {
            throw new ArgumentException("Option value longer than 253 bytes.", nameof(value));
        }

        Ensure(2 + value.Length);
        _bytes[Length] = type;
        _bytes[Length + 1] = (byte)(2 + value.Length);
        value.CopyTo(_bytes.AsSpan(Length + 2));
        Length += 2 + value.Length;
    }

    public void AddEmpty(byte type) => Add(type, ReadOnlySpan<byte>.Empty);

    public void AddUInt16(byte type, ushort value)
    {
        Span<byte> v = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(v, value);
        Add(type, v);
    }

    public void AddUInt32(byte type, uint value)
    {
        Span<byte> v = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(v, value);
        Add(type, v);
    }

    public void CopyFrom(CpOptionBuffer other)
    {
        Clear();
        AddRaw(other.Span);
    }

    private void Ensure(int extra)
    {
        if (Length + extra > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + extra));
        }
    }
}
