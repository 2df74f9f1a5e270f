namespace Gateway.Tunnel;

/// <summary>
/// The inner addresses assigned to one session (IPCP, RFC 1332; optionally an IPv6 prefix). Packets from the client
/// must carry one of them as source (<see cref="SourceValidator"/>). Host-order integers, as in <see cref="IpHeader"/>.
/// </summary>
public readonly record struct SessionAddresses
{
    /// <summary>A session with an IPv4 address only.</summary>
    public SessionAddresses(uint ipv4)
    {
        Ipv4 = ipv4;
    }

    /// <summary>A session with an IPv4 address (0 for none) and an IPv6 prefix of length 64 or 128.</summary>
    public SessionAddresses(uint ipv4, UInt128 ipv6, int ipv6PrefixLength)
    {
        if (ipv6PrefixLength is not (64 or 128))
        {
            throw new ArgumentOutOfRangeException(nameof(ipv6PrefixLength), ipv6PrefixLength, "Only /64 and /128 are supported.");
        }
        Ipv4 = ipv4;
        Ipv6 = ipv6;
        Ipv6PrefixLength = ipv6PrefixLength;
    }

    /// <summary>Assigned IPv4 address, or 0 when the session has none.</summary>
    public uint Ipv4 { get; }

    /// <summary>Assigned IPv6 address or prefix (meaningful when <see cref="HasIpv6"/>).</summary>
    public UInt128 Ipv6 { get; }

    /// <summary>64 or 128; 0 when the session has no IPv6.</summary>
    public int Ipv6PrefixLength { get; }

    public bool HasIpv4 => Ipv4 != 0;

    public bool HasIpv6 => Ipv6PrefixLength != 0;

    /// <summary>True when <paramref name="address"/> lies in the session's IPv6 prefix.</summary>
    public bool ContainsIpv6(UInt128 address) =>
        Ipv6PrefixLength == 128 ? address == Ipv6 : Ipv6PrefixLength == 64 && (address >> 64) == (Ipv6 >> 64);
}
