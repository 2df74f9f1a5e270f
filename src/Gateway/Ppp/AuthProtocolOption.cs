using Gateway.Ppp.Auth;

namespace Gateway.Ppp;

/// <summary>
/// Encoding of the LCP Authentication-Protocol option value (RFC 1661 6.2): <c>C0 23</c> PAP (RFC 1334),
/// <c>C2 23 05</c> CHAP-MD5 (RFC 1994), <c>C2 23 81</c> MS-CHAPv2 (RFC 2759), <c>C2 27</c> EAP (RFC 3748).
/// </summary>
public static class AuthProtocolOption
{
    /// <summary>CHAP Algorithm field: MD5 (RFC 1994 3).</summary>
    public const byte ChapAlgorithmMd5 = 0x05;

    /// <summary>CHAP Algorithm field: MS-CHAP-2 (RFC 2759 2).</summary>
    public const byte ChapAlgorithmMsChapV2 = 0x81;

    /// <summary>Adds option 3 for <paramref name="method"/> to <paramref name="options"/>.</summary>
    public static void Add(CpOptionBuffer options, AuthMethod method)
    {
        Span<byte> value = stackalloc byte[3];
        int length = Encode(method, value);
        options.Add(LcpOption.AuthenticationProtocol, value[..length]);
    }

    /// <summary>Writes the option value (without type and length) and returns its length (2 or 3).</summary>
    public static int Encode(AuthMethod method, Span<byte> value)
    {
        switch (method)
        {
            case AuthMethod.Pap:
                value[0] = 0xC0;
                value[1] = 0x23;
                return 2;
            case AuthMethod.ChapMd5:
                value[0] = 0xC2;
                value[1] = 0x23;
                value[2] = ChapAlgorithmMd5;
                return 3;
            case AuthMethod.MsChapV2:
                value[0] = 0xC2;
                value[1] = 0x23;
                value[2] = ChapAlgorithmMsChapV2;
                return 3;
            case AuthMethod.EapMsChapV2:
                value[0] = 0xC2;
                value[1] = 0x27;
                return 2;
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown authentication method.");
        }
    }

    /// <summary>Decodes an option value; false for protocols or CHAP algorithms we do not know.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> value, out AuthMethod method)
    {
        method = default;
        if (value.Length < 2)
        {
            return false;
        }

        ushort protocol = (ushort)((value[0] << 8) | value[1]);
        switch (protocol)
        {
            case PppProtocol.Pap when value.Length == 2:
                method = AuthMethod.Pap;
                return true;
            case PppProtocol.Eap when value.Length == 2:
                method = AuthMethod.EapMsChapV2;
                return true;
            case PppProtocol.Chap when value.Length == 3 && value[2] == ChapAlgorithmMd5:
                method = AuthMethod.ChapMd5;
                return true;
            case PppProtocol.Chap when value.Length == 3 && value[2] == ChapAlgorithmMsChapV2:
                method = AuthMethod.MsChapV2;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The PPP protocol that carries <paramref name="method"/>.</summary>
    public static ushort ProtocolOf(AuthMethod method) => method switch
    {
        AuthMethod.Pap => PppProtocol.Pap,
        AuthMethod.ChapMd5 or AuthMethod.MsChapV2 => PppProtocol.Chap,
        AuthMethod.EapMsChapV2 => PppProtocol.Eap,
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown authentication method."),
    };
}
