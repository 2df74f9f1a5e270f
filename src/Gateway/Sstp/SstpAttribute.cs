using System.Buffers.Binary;

namespace Gateway.Sstp;

/// <summary>
/// One attribute of a control message as it is on the wire ([MS-SSTP] 2.2.2): Reserved(1), Attribute ID(1),
/// LengthPacket(2) and <see cref="Value"/>. Typed views: <see cref="SstpStatusInfo"/>,
/// <see cref="SstpCryptoBinding"/>, <see cref="SstpCryptoBindingRequest"/>, <see cref="SstpEncapsulatedProtocolId"/>.
/// </summary>
public readonly record struct SstpAttribute(SstpAttributeId Id, ReadOnlyMemory<byte> Value)
{
    /// <summary>Total length on the wire, attribute header included.</summary>
    public int EncodedLength => SstpConstants.AttributeHeaderLength + Value.Length;

    /// <summary>Writes the attribute; returns the number of bytes written.</summary>
    public int Write(Span<byte> destination)
    {
        int length = EncodedLength;
        if (length > SstpConstants.MaxPacketLength - SstpConstants.ControlHeaderLength)
        {
            throw new InvalidOperationException($"Attribute {Id} of {length} bytes does not fit in an SSTP packet.");
        }

        destination[0] = 0;
        destination[1] = (byte)Id;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)length);
        Value.Span.CopyTo(destination[SstpConstants.AttributeHeaderLength..]);
        return length;
    }
}
