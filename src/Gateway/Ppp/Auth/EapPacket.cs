using System.Buffers.Binary;

namespace Gateway.Ppp.Auth;

/// <summary>EAP (RFC 3748 4, 5) and EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2-02, [MS-CHAP] 2.2) layouts.</summary>
internal static class EapPacket
{
    /// <summary>PPP protocol number of EAP (RFC 3748 4 / RFC 2284).</summary>
    public const ushort Protocol = 0xC227;

    /// <summary>RFC 3748 4 codes.</summary>
    public const byte Request = 1, Response = 2, Success = 3, Failure = 4;

    /// <summary>RFC 3748 5 types; 26 = EAP-MSCHAPv2 (IANA).</summary>
    public const byte TypeIdentity = 1, TypeNotification = 2, TypeNak = 3, TypeMsChapV2 = 26;

    /// <summary>EAP-MSCHAPv2 OpCodes (draft-kamath 2).</summary>
    public const byte OpChallenge = 1, OpResponse = 2, OpSuccess = 3, OpFailure = 4;

    /// <summary>OpCode, MS-CHAPv2-ID, MS-Length(2): the EAP-MSCHAPv2 header after the Type byte.</summary>
    public const int MsChapV2HeaderLength = 4;

    /// <summary>A Request or Response: header, Type, Type-Data.</summary>
    public static byte[] Create(byte code, byte identifier, byte type, ReadOnlySpan<byte> typeData)
    {
        byte[] packet = AuthPacket.Create(code, identifier, 1 + typeData.Length);
        packet[AuthPacket.HeaderLength] = type;
        typeData.CopyTo(packet.AsSpan(AuthPacket.HeaderLength + 1));
        return packet;
    }

    /// <summary>
    /// An EAP-MSCHAPv2 Request/Response: Type 26, OpCode, MS-CHAPv2-ID, MS-Length (OpCode to end, draft-kamath 2),
    /// then <paramref name="body"/>. With an empty body and <paramref name="opCodeOnly"/> only the OpCode is sent
    /// (the peer's Success/Failure Response, draft-kamath 2.3/2.5).
    /// </summary>
    public static byte[] CreateMsChapV2(byte code, byte identifier, byte opCode, byte msChapV2Id, ReadOnlySpan<byte> body, bool opCodeOnly = false)
    {
        if (opCodeOnly)
        {
            return Create(code, identifier, TypeMsChapV2, [opCode]);
        }

        byte[] packet = AuthPacket.Create(code, identifier, 1 + MsChapV2HeaderLength + body.Length);
        Span<byte> data = packet.AsSpan(AuthPacket.HeaderLength);
        data[0] = TypeMsChapV2;
        data[1] = opCode;
        data[2] = msChapV2Id;
        BinaryPrimitives.WriteUInt16BigEndian(data[3..], (ushort)(MsChapV2HeaderLength + body.Length));
        body.CopyTo(data[(1 + MsChapV2HeaderLength)..]);
        return packet;
    }

    /// <summary>Success/Failure packets have no data (RFC 3748 4.2).</summary>
    public static byte[] CreateResult(byte code, byte identifier) => AuthPacket.Create(code, identifier, 0);
}
