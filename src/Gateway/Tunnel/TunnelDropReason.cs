namespace Gateway.Tunnel;

/// <summary>Why the data plane dropped a packet; the value of the "reason" tag of <c>gateway.tunnel.dropped</c>.</summary>
public enum TunnelDropReason
{
    /// <summary>A packet from a client whose source address is not the one assigned to its session.</summary>
    Spoofed,
    /// <summary>A packet from the TUN device whose destination has no session.</summary>
    NoRoute,
    /// <summary>The session's egress queue was full (bytes or packets).</summary>
    QueueFull,
    /// <summary>The session's egress queue had been standing above its target delay (CoDel, RFC 8289).</summary>
    QueueDelay,
    /// <summary>The IP header failed validation (truncated, bad lengths, unknown version).</summary>
    Malformed,
    /// <summary>The packet is larger than the egress queue accepts.</summary>
    TooBig,
    /// <summary>The write to the TUN device failed.</summary>
    TunWriteFailed,
    /// <summary>
    /// An IPv6 packet from a client to a link-local or multicast destination: for the gateway itself, never forwarded
    /// (RFC 4291 2.5.6: link-local packets must not leave the link). Router Solicitations among them are answered.
    /// </summary>
    LinkLocal,
}
