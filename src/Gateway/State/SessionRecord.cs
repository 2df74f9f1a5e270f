using System.Net;

namespace Gateway.State;

/// <summary>
/// A VPN session as the cluster sees it. Times are stored with millisecond precision.
/// </summary>
/// <param name="SessionId">Unique id (the connection/correlation id).</param>
/// <param name="UserName">Authenticated user (canonical form; empty while still authenticating).</param>
/// <param name="NodeId">Gateway node that holds the connection.</param>
/// <param name="InnerIPv4">Address assigned by IPCP, if any.</param>
/// <param name="InnerIPv6">The session's IPv6 /64 (its first address) when IPv6 is on and up, else null.</param>
/// <param name="OuterEndPoint">The client's public address as seen by the edge (after PROXY protocol).</param>
/// <param name="StartedAt">When the session started.</param>
/// <param name="State">Life-cycle state.</param>
/// <param name="Counters">Traffic counters at <paramref name="CountersUpdatedAt"/>.</param>
/// <param name="CountersUpdatedAt">When the counters were last refreshed; null if never.</param>
/// <param name="DisconnectReason">Why the session ended or is ending, if it is.</param>
public sealed record SessionRecord(
    string SessionId,
    string UserName,
    string NodeId,
    IPAddress? InnerIPv4,
    IPAddress? InnerIPv6,
    IPEndPoint? OuterEndPoint,
    DateTimeOffset StartedAt,
    SessionState State,
    SessionCounters Counters = default,
    DateTimeOffset? CountersUpdatedAt = null,
    string? DisconnectReason = null);
