namespace Gateway.Tunnel;

/// <summary>Outcome of <see cref="PacketRouter.DispatchFromTunnel"/> and <see cref="PacketRouter.SendToTunnel"/>.</summary>
public enum DispatchResult
{
    /// <summary>Downlink: queued toward the session. Uplink: written to the TUN device.</summary>
    Forwarded,
    /// <summary>Downlink: no session owns the destination address.</summary>
    NoRoute,
    /// <summary>Uplink: the source is not the session's address.</summary>
    Spoofed,
    /// <summary>The IP header failed validation.</summary>
    Malformed,
    /// <summary>Downlink: the session's queue dropped it. Uplink: the TUN write failed.</summary>
    Dropped,
    /// <summary>Uplink: an IPv6 packet to a link-local or multicast address, for the gateway; not forwarded.</summary>
    ForGateway,
}
