using System.Buffers.Binary;

namespace Gateway.Sstp;

/// <summary>SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID ([MS-SSTP] 2.2.5): total length 6, value = Protocol ID (2).</summary>
public readonly record struct SstpEncapsulatedProtocolId(ushort ProtocolId)
{
    public static SstpEncapsulatedProtocolId Ppp => new(SstpConstants.EncapsulatedProtocolPpp);

    public static bool TryParse(SstpAttribute attribute, out SstpEncapsulatedProtocolId value, out SstpParseError error)
    {
        value = default;
        if (attribute.Id != SstpAttributeId.EncapsulatedProtocolId)
        {
            error = SstpParseError.WrongAttributeId;
            return false;
        }

        if (attribute.EncodedLength != SstpConstants.EncapsulatedProtocolIdAttributeLength)
        {
            error = SstpParseError.InvalidAttributeLength;
            return false;
        }

        value = new SstpEncapsulatedProtocolId(BinaryPrimitives.ReadUInt16BigEndian(attribute.Value.Span));
        error = SstpParseError.None;
        return true;
    }

    public SstpAttribute ToAttribute()
    {
        var value = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(value, ProtocolId);
        return new SstpAttribute(SstpAttributeId.EncapsulatedProtocolId, value);
    }
}
