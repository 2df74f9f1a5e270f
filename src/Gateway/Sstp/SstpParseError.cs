namespace Gateway.Sstp;

/// <summary>Why a packet, control message or attribute value was rejected.</summary>
public enum SstpParseError
{
    None = 0,

    // Packet header ([MS-SSTP] 2.2.1)
    /// <summary>Byte 0 is not 0x10.</summary>
    UnsupportedVersion,
    /// <summary>One of the 7 reserved bits of byte 1 is set.</summary>
    ReservedFlagBitsSet,
    /// <summary>One of the 4 reserved bits in front of the 12-bit length is set.</summary>
    ReservedLengthBitsSet,
    /// <summary>Length smaller than the 4-byte header.</summary>
    PacketTooShort,
    /// <summary>Control packet with a length smaller than 8 (header + type + attribute count).</summary>
    ControlPacketTooShort,
    /// <summary>The Length field does not equal the number of bytes given as one packet.</summary>
    LengthMismatch,

    // Control message ([MS-SSTP] 2.2.2 / 2.2.3)
    /// <summary>A data packet was passed where a control packet was expected.</summary>
    NotAControlPacket,
    /// <summary>Message Type is not 1..9.</summary>
    UnknownMessageType,
    /// <summary>An attribute header or value extends past the end of the packet (fewer attributes than announced).</summary>
    AttributeTruncated,
    /// <summary>An attribute's length is smaller than its 4-byte header.</summary>
    AttributeTooShort,
    /// <summary>Bytes remain after the announced number of attributes.</summary>
    TrailingBytes,

    // Attribute values ([MS-SSTP] 2.2.5 - 2.2.8)
    /// <summary>The attribute is not the one the decoder was asked for.</summary>
    WrongAttributeId,
    /// <summary>The attribute's length is not the fixed length its ID requires (or Status Info is out of 12..76).</summary>
    InvalidAttributeLength,
}
