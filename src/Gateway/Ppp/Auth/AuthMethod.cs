namespace Gateway.Ppp.Auth;

/// <summary>PPP authentication methods the gateway can require (LCP option 3, RFC 1661 6.2).</summary>
public enum AuthMethod
{
    /// <summary>RFC 1334 PAP, LCP option <c>C0 23</c>. HLAK is zero.</summary>
    Pap,
    /// <summary>RFC 1994 CHAP with MD5, LCP option <c>C2 23 05</c>. HLAK is zero.</summary>
    ChapMd5,
    /// <summary>RFC 2759 MS-CHAPv2, LCP option <c>C2 23 81</c>. HLAK from RFC 3079 master keys.</summary>
    MsChapV2,
    /// <summary>RFC 3748 EAP carrying EAP-MSCHAPv2 (type 26), LCP option <c>C2 27</c>. Windows' "secured password".</summary>
    EapMsChapV2,
}
