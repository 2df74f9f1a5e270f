namespace Gateway.Tunnel;

/// <summary>Outcome of <see cref="IpPacket.TryParse"/>; everything but <see cref="Ok"/> means "drop the packet".</summary>
public enum IpParseStatus
{
    /// <summary>A well-formed IPv4 or IPv6 header whose lengths fit the buffer.</summary>
    Ok,
    /// <summary>Zero bytes.</summary>
    Empty,
    /// <summary>The version nibble is neither 4 nor 6.</summary>
    UnsupportedVersion,
    /// <summary>Fewer bytes than the fixed header (20 for IPv4, 40 for IPv6).</summary>
    TruncatedHeader,
    /// <summary>IPv4 IHL below 5 (RFC 791 3.1) or pointing past the end of the buffer.</summary>
    BadHeaderLength,
    /// <summary>IPv4 Total Length smaller than the header or larger than the buffer; IPv6 Payload Length past the
    /// buffer, or zero (a jumbogram, RFC 2675, which cannot occur on a tunnel with a 16-bit MTU).</summary>
    BadTotalLength,
}
