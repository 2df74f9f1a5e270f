using Gateway.Ppp.Auth;

namespace Gateway.Ppp;

/// <summary>Server-side PPP settings, bound from the <c>Ppp</c> configuration section.</summary>
public sealed class PppOptions
{
    public const string SectionName = "Ppp";

    /// <summary>Used when <see cref="AuthMethods"/> is empty: what Windows offers for "user name and password".</summary>
    public static readonly IReadOnlyList<AuthMethod> DefaultAuthMethods = [AuthMethod.MsChapV2, AuthMethod.EapMsChapV2];

    /// <summary>Allowed authentication methods, most preferred first (LCP option 3 of our Configure-Request).</summary>
    public List<AuthMethod> AuthMethods { get; set; } = [];

    /// <summary>Our MRU, i.e. the tunnel MTU (sstp-protocol.md 8: 1400 like Windows and accel-ppp examples).</summary>
    public int Mru { get; set; } = 1400;

    /// <summary>Default DNS servers (up to two, IPv4 text) offered through IPCP (RFC 1877) when the host assigns none.</summary>
    public List<string> DnsServers { get; set; } = [];

    /// <summary>Negotiate IPv6CP (RFC 5072). When false, IPv6CP is Protocol-Rejected.</summary>
    public bool Ipv6Enabled { get; set; }

    /// <summary>RFC 1661 4.6 restart timer.</summary>
    public int RestartTimerMs { get; set; } = 3000;

    /// <summary>RFC 1661 4.6 Max-Configure.</summary>
    public int MaxConfigure { get; set; } = 10;

    /// <summary>RFC 1661 4.6 Max-Terminate.</summary>
    public int MaxTerminate { get; set; } = 2;

    /// <summary>RFC 1661 4.6 Max-Failure.</summary>
    public int MaxFailure { get; set; } = 5;

    /// <summary>Whole authentication phase limit; well below the 60 s SSTP CALL_CONNECTED timer (MS-SSTP 3.3.2).</summary>
    public int AuthenticationTimeoutMs { get; set; } = 30000;

    public IReadOnlyList<AuthMethod> EffectiveAuthMethods => AuthMethods.Count > 0 ? AuthMethods : DefaultAuthMethods;

    public NegotiationTimers ToTimers() => new()
    {
        RestartMs = RestartTimerMs,
        MaxConfigure = MaxConfigure,
        MaxTerminate = MaxTerminate,
        MaxFailure = MaxFailure,
    };
}
