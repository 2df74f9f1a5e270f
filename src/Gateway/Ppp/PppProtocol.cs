namespace Gateway.Ppp;

/// <summary>PPP protocol field values (RFC 1661 2, IANA "PPP DLL Protocol Numbers").</summary>
public static class PppProtocol
{
    /// <summary>Internet Protocol version 4 (RFC 1332 2).</summary>
    public const ushort IPv4 = 0x0021;
    /// <summary>Internet Protocol version 6 (RFC 5072 3).</summary>
    public const ushort IPv6 = 0x0057;
    /// <summary>Multilink (RFC 1990); rejected on SSTP.</summary>
    public const ushort Multilink = 0x003D;
    /// <summary>IP Control Protocol (RFC 1332 2).</summary>
    public const ushort Ipcp = 0x8021;
    /// <summary>IPv6 Control Protocol (RFC 5072 3).</summary>
    public const ushort Ipv6cp = 0x8057;
    /// <summary>Encryption Control Protocol (RFC 1968); SSTP relies on TLS instead.</summary>
    public const ushort Ecp = 0x8053;
    /// <summary>Compression Control Protocol (RFC 1962); never used on SSTP (sstp-protocol.md 7.6).</summary>
    public const ushort Ccp = 0x80FD;
    /// <summary>Link Control Protocol (RFC 1661 5).</summary>
    public const ushort Lcp = 0xC021;
    /// <summary>Password Authentication Protocol (RFC 1334 2).</summary>
    public const ushort Pap = 0xC023;
    /// <summary>Challenge-Handshake Authentication Protocol, also MS-CHAPv2 (RFC 1994 4, RFC 2759).</summary>
    public const ushort Chap = 0xC223;
    /// <summary>Extensible Authentication Protocol (RFC 3748 / RFC 2284).</summary>
    public const ushort Eap = 0xC227;
    /// <summary>Callback Control Protocol (Microsoft CBCP); rejected.</summary>
    public const ushort Cbcp = 0xC029;
    /// <summary>Bandwidth Allocation Control Protocol (RFC 2125); rejected.</summary>
    public const ushort Bacp = 0xC02B;
    /// <summary>Bandwidth Allocation Protocol (RFC 2125); rejected.</summary>
    public const ushort Bap = 0xC02D;
}
