namespace Interop.Tests;

/// <summary>Default authentication (MS-CHAPv2, EAP-MS-CHAPv2), IPv6 off.</summary>
public sealed class MsChapV2Gateway : GatewayPeer;

/// <summary>PAP only (Ppp:AuthMethods:0=Pap).</summary>
public sealed class PapGateway : GatewayPeer
{
    protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["Ppp:AuthMethods:0"] = "Pap" };
}

/// <summary>CHAP-MD5 only (Ppp:AuthMethods:0=ChapMd5); alice's configured clear-text password serves it.</summary>
public sealed class ChapMd5Gateway : GatewayPeer
{
    protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["Ppp:AuthMethods:0"] = "ChapMd5" };
}

/// <summary>Default authentication with a /64 prefix pool (Tunnel:Ipv6Prefix: IPv6CP on, one /64 per session by RA).</summary>
public sealed class Ipv6Gateway : GatewayPeer
{
    public const string PrefixPool = "fd53:5354:5000::/48";

    protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["Tunnel:Ipv6Prefix"] = PrefixPool };
}
