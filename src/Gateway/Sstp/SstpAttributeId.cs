namespace Gateway.Sstp;

/// <summary>Attribute IDs ([MS-SSTP] 2.2.4).</summary>
public enum SstpAttributeId : byte
{
    /// <summary>SSTP_ATTRIB_NO_ERROR: used only as AttribID inside Status Info.</summary>
    NoError = 0x00,
    EncapsulatedProtocolId = 0x01,
    StatusInfo = 0x02,
    CryptoBinding = 0x03,
    CryptoBindingRequest = 0x04,
}
