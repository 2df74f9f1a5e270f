namespace Gateway.Tunnel;

/// <summary>
/// Anti-spoofing for packets from a client (BCP 38 / RFC 2827 applied per session): a client may only send from
/// the address it was assigned. Pure; counting is done by <see cref="PacketRouter.ValidateFromClient"/>.
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
        return addresses.HasIpv6 && addresses.ContainsIpv6(header.Source) ? SourceCheck.Ok : SourceCheck.Spoofed;
    }
}
