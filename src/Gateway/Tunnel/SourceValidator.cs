namespace Gateway.Tunnel;

/// <summary>
/// Anti-spoofing for packets from a client (BCP 38 / RFC 2827 applied per session): a client may only send from
/// the address it was assigned (IPv6: its /64; link-local sources only toward the gateway). Pure; counting is done by <see cref="PacketRouter.ValidateFromClient"/>.
/// </summary>
public static class SourceValidator
{
    /// <summary>Checks the header of <paramref name="packet"/> and that its source belongs to <paramref name="addresses"/>.</summary>
    public static SourceCheck Check(in SessionAddresses addresses, ReadOnlySpan<byte> packet, out IpHeader header)
    {
        if (IpPacket.TryParse(packet, out header) != IpParseStatus.Ok)
        {
            return SourceCheck.Malformed;
        }
        if (header.IsIpv4)
        {
            return addresses.HasIpv4 && header.SourceV4 == addresses.Ipv4 ? SourceCheck.Ok : SourceCheck.Spoofed;
        }
        if (addresses.HasIpv6 && addresses.ContainsIpv6(header.Source))
        {
            return SourceCheck.Ok;
        }
        // Link-local and unspecified sources (RFC 4291 2.5.6; RFC 4861 4.1: a Router Solicitation may come from ::) are
        // fine only toward the gateway itself (link-local or multicast destinations), never to be forwarded; a client
        // sends them before its /64 is routed too.
        return (Ipv6RouterDiscovery.IsLinkLocal(header.Source) || header.Source == UInt128.Zero)
            && Ipv6RouterDiscovery.IsForGateway(header.Destination)
            ? SourceCheck.Ok
            : SourceCheck.Spoofed;
    }
}
