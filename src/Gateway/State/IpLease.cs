using System.Net;

namespace Gateway.State;

/// <summary>An inner IPv4 address bound to (user, session, node). For a lingering lease, session and node are the last ones.</summary>
public sealed record IpLease(
    IPAddress Address,
    string UserName,
    string SessionId,
    string NodeId,
    LeaseState State,
    DateTimeOffset LeasedAt,
    DateTimeOffset? LingerUntil);
