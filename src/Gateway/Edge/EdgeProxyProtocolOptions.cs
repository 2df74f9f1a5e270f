namespace Gateway.Edge;

/// <summary>
/// Configuration section <c>Edge:ProxyProtocol</c>. Off while <see cref="TrustedProxies"/> is empty.
/// Connections from a trusted proxy must start with a PROXY v1 or v2 header; connections from anyone else
/// that start with one are refused (a client must never choose its own source address).
/// </summary>
public sealed class EdgeProxyProtocolOptions
{
    /// <summary>CIDR blocks (e.g. <c>10.0.0.0/8</c>, <c>2001:db8::/32</c>) or single addresses of trusted proxies.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Cap on the PROXY header (v1 is at most 107 bytes; v2 is 16 bytes plus addresses and TLVs).</summary>
    public int MaxHeaderBytes { get; set; } = 4096;

    /// <summary>Deadline for the PROXY header.</summary>
    public TimeSpan HeaderTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
