using System.Buffers.Binary;

namespace Gateway.Sstp;

/// <summary>
/// SSTP_ATTRIB_STATUS_INFO ([MS-SSTP] 2.2.8): Reserved(3), AttribID(1), Status(4), AttribValue(0..64).
/// <see cref="AttributeId"/> names the attribute the status is about (0 = none).
/// </summary>
public readonly record struct SstpStatusInfo(SstpAttributeId AttributeId, SstpStatus Status, ReadOnlyMemory<byte> Value = default)
{
    private const int FixedValueLength = SstpConstants.StatusInfoMinAttributeLength - SstpConstants.AttributeHeaderLength;

    /// <summary>What Windows puts in CALL_DISCONNECT: AttribID 0, status 0 ([MS-SSTP] 4.x captures).</summary>
    public static SstpStatusInfo NoError => new(SstpAttributeId.NoError, SstpStatus.NoError);

    public static bool TryParse(SstpAttribute attribute, out SstpStatusInfo value, out SstpParseError error)
    {
        value = default;
        if (attribute.Id != SstpAttributeId.StatusInfo)
        {
            error = SstpParseError.WrongAttributeId;
            return false;
        }

        ReadOnlySpan<byte> span = attribute.Value.Span;
        if (span.Length < FixedValueLength || span.Length > FixedValueLength + SstpConstants.StatusInfoMaxValueLength)
        {
            error = SstpParseError.InvalidAttributeLength;
            return false;
        }

        value = new SstpStatusInfo(
            (SstpAttributeId)span[3],
            (SstpStatus)BinaryPrimitives.ReadUInt32BigEndian(span[4..]),
            attribute.Value[FixedValueLength..]);
        error = SstpParseError.None;
        return true;
    }

    public SstpAttribute ToAttribute()
    {
        if (Value.Length > SstpConstants.StatusInfoMaxValueLength)
        {
            throw new InvalidOperationException("Status Info AttribValue is at most 64 bytes (MS-SSTP 2.2.8).");
        }

        var value = new byte[FixedValueLength + Value.Length];
        value[3] = (byte)AttributeId;
        BinaryPrimitives.WriteUInt32BigEndian(value.AsSpan(4), (uint)Status);
        Value.Span.CopyTo(value.AsSpan(FixedValueLength));
        return new SstpAttribute(SstpAttributeId.StatusInfo, value);
    }
}
