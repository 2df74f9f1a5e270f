namespace Gateway.Ppp;

/// <summary>Settings of the client end (the project's own SSTP client and tests).</summary>
public sealed class PppClientOptions
{
    /// <summary>Our MRU; the RFC 1661 default 1500 is not even requested.</summary>
    public int Mru { get; set; } = PppFrame.DefaultMru;

    /// <summary>Ask for DNS servers with IPCP options 129/131 (RFC 1877).</summary>
    public bool RequestDns { get; set; } = true;

    /// <summary>Negotiate IPv6CP (RFC 5072).</summary>
    public bool Ipv6Enabled { get; set; }

    public NegotiationTimers Timers { get; set; } = new();
}
