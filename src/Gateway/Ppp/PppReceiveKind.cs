namespace Gateway.Ppp;

/// <summary>What a received PPP frame turned out to be.</summary>
public enum PppReceiveKind
{
    /// <summary>A control frame (LCP, authentication, NCP), handled by the engine.</summary>
    Consumed,
    /// <summary>An IPv4 packet (protocol 0x0021) while IPCP is Opened; see Offset/Length.</summary>
    IPv4,
    /// <summary>An IPv6 packet (protocol 0x0057) while IPv6CP is Opened; see Offset/Length.</summary>
    IPv6,
    /// <summary>Dropped: malformed, or a data frame while its NCP is not Opened.</summary>
    Dropped,
}
