namespace Gateway.Sstp;

/// <summary>Wire constants of MS-SSTP v1.0 (section numbers refer to [MS-SSTP]).</summary>
public static class SstpConstants
{
    /// <summary>2.2.1: Version field, major 1 minor 0.</summary>
    public const byte Version = 0x10;

    /// <summary>2.2.1: the C bit (least significant bit of byte 1) marks a control packet.</summary>
    public const byte ControlBit = 0x01;

    /// <summary>2.2.1: version, reserved/C, and the 12-bit length.</summary>
    public const int HeaderLength = 4;

    /// <summary>2.2.2: header plus Message Type (2) and Num Attributes (2).</summary>
    public const int ControlHeaderLength = 8;

    /// <summary>2.2.1: the Length field has 12 bits and counts the whole packet including the header.</summary>
    public const int MaxPacketLength = 0x0FFF;

    /// <summary>3.1.5.2: the SSTP MRU, i.e. the largest PPP frame one data packet can carry.</summary>
    public const int MaxPayloadLength = MaxPacketLength - HeaderLength;

    /// <summary>2.2.1 / 2.2.2: mask of the 12-bit length inside the 16-bit LengthPacket fields.</summary>
    public const int LengthMask = 0x0FFF;

    /// <summary>2.2.2: Reserved(1), Attribute ID(1), LengthPacket(2).</summary>
    public const int AttributeHeaderLength = 4;

    /// <summary>2.2.6 / 2.2.7: nonce in Crypto Binding and Crypto Binding Request.</summary>
    public const int NonceLength = 32;

    /// <summary>2.2.7: Cert Hash and Compound MAC fields (SHA-1 values are padded with 12 zero bytes).</summary>
    public const int HashFieldLength = 32;

    /// <summary>2.2.5: SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID total length.</summary>
    public const int EncapsulatedProtocolIdAttributeLength = 6;

    /// <summary>2.2.5: SSTP_ENCAPSULATED_PROTOCOL_PPP.</summary>
    public const ushort EncapsulatedProtocolPpp = 0x0001;

    /// <summary>2.2.7: SSTP_ATTRIB_CRYPTO_BINDING total length.</summary>
    public const int CryptoBindingAttributeLength = 104;

    /// <summary>2.2.6: SSTP_ATTRIB_CRYPTO_BINDING_REQ total length.</summary>
    public const int CryptoBindingRequestAttributeLength = 40;

    /// <summary>2.2.8: Status Info without AttribValue.</summary>
    public const int StatusInfoMinAttributeLength = 12;

    /// <summary>2.2.8: AttribValue is at most 64 bytes.</summary>
    public const int StatusInfoMaxValueLength = 64;

    /// <summary>2.2.10: CALL_CONNECTED = control header (8) + Crypto Binding (104).</summary>
    public const int CallConnectedLength = ControlHeaderLength + CryptoBindingAttributeLength;

    /// <summary>3.3.5.2.3: offset of the Compound MAC field inside CALL_CONNECTED (the bytes zeroed for the MAC).</summary>
    public const int CallConnectedMacOffset = 80;

    /// <summary>2.2.7: offsets inside CALL_CONNECTED of the Hash Protocol byte, Nonce and Cert Hash.</summary>
    public const int CallConnectedHashProtocolOffset = 15;
    public const int CallConnectedNonceOffset = 16;
    public const int CallConnectedCertHashOffset = 48;

    /// <summary>3.2.5.2.4: HLAK length (32 bytes; 32 zero bytes when the inner method yields no keys).</summary>
    public const int HlakLength = 32;

    /// <summary>3.1.2.1: TIMER_VAL_ABORT_STATE_TIMER_1 / _2.</summary>
    public const int AbortTimer1Ms = 3_000;
    public const int AbortTimer2Ms = 1_000;

    /// <summary>3.1.2.2: TIMER_VAL_DISCONNECT_STATE_TIMER_1 / _2.</summary>
    public const int DisconnectTimer1Ms = 5_000;
    public const int DisconnectTimer2Ms = 1_000;

    /// <summary>3.2.2.1 / 3.3.2.1: negotiation timer (SHOULD be 60 s).</summary>
    public const int NegotiationTimerMs = 60_000;

    /// <summary>3.3.5.2.1 note: Windows sends at most 3 NAKs before aborting; Windows clients retry 3 times.</summary>
    public const int MaxNakCount = 3;
}
