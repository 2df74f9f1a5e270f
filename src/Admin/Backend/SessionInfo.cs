namespace Admin.Backend;

/// <summary>One session of the cluster, as stored in the shared session store.</summary>
/// <param name="Id">Cluster-unique session id.</param>
/// <param name="User">Authenticated user name (null before authentication completes).</param>
/// <param name="NodeId">Id of the node that owns the connection.</param>
/// <param name="State">Life-cycle stage.</param>
/// <param name="ClientAddress">Outer client endpoint ("203.0.113.7:51234"; after PROXY protocol, the real client).</param>
/// <param name="InnerAddress">IPv4 address assigned inside the tunnel, or null before IPCP.</param>
/// <param name="AuthMethod">PPP authentication method name ("MsChapV2", "Pap", ...), or null before authentication.</param>
/// <param name="StartedAt">When the HTTPS connection was accepted.</param>
/// <param name="InnerIpv6Prefix">The session's IPv6 prefix ("fd53:5354:5000:7::/64") when IPv6 is on and up, else null.</param>
public sealed record SessionInfo(
    string Id,
    string? User,
    string NodeId,
    SessionState State,
    string ClientAddress,
    string? InnerAddress,
    string? AuthMethod,
    DateTimeOffset StartedAt,
    string? InnerIpv6Prefix = null);
