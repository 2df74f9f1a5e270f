namespace Gateway.Tunnel;

/// <summary>
/// The fields of an IPv4 (RFC 791 3.1) or IPv6 (RFC 8200 3) header that the data plane needs.
/// Addresses are in host order: IPv4 as <see cref="uint"/> (10.0.0.1 = 0x0A000001), IPv6 as <see cref="UInt128"/>.
/// </summary>
public readonly struct IpHeader
{
    public IpHeader(int version, int headerLength, int totalLength, byte protocol, UInt128 source, UInt128 destination)
    {
        Version = version;
        HeaderLength = headerLength;
        TotalLength = totalLength;
        Protocol = protocol;
        Source = source;
        Destination = destination;
    }

    /// <summary>4 or 6.</summary>
    public int Version { get; }

    /// <summary>IPv4: IHL * 4. IPv6: 40 (extension headers are not counted).</summary>
    public int HeaderLength { get; }

    /// <summary>IPv4 Total Length; IPv6 40 + Payload Length. Never more than the buffer that was parsed.</summary>
    public int TotalLength { get; }

    /// <summary>IPv4 Protocol; IPv6 Next Header of the fixed header.</summary>
    public byte Protocol { get; }

    /// <summary>Source address; for IPv4 only the low 32 bits are used.</summary>
    public UInt128 Source { get; }

    /// <summary>Destination address; for IPv4 only the low 32 bits are used.</summary>
    public UInt128 Destination { get; }

    public bool IsIpv4 => Version == 4;

    public bool IsIpv6 => Version == 6;

    /// <summary>IPv4 source address (host order); 0 for IPv6.</summary>
    public uint SourceV4 => IsIpv4 ? (uint)Source : 0;

    /// <summary>IPv4 destination address (host order); 0 for IPv6.</summary>
    public uint DestinationV4 => IsIpv4 ? (uint)Destination : 0;
}
