namespace Gateway.Ppp;

/// <summary>LCP configuration option types (RFC 1661 6; 13 from RFC 1570; 17-19 from RFC 1990).</summary>
public static class LcpOption
{
    public const byte Mru = 1;
    /// <summary>Async-Control-Character-Map (RFC 1662 7.1); meaningless on SSTP, acknowledged.</summary>
    public const byte Accm = 2;
    public const byte AuthenticationProtocol = 3;
    public const byte QualityProtocol = 4;
    public const byte MagicNumber = 5;
    public const byte ProtocolFieldCompression = 7;
    public const byte AddressControlFieldCompression = 8;
    /// <summary>Callback (RFC 1570 2.3); Windows asks for operation 6 (CBCP).</summary>
    public const byte Callback = 13;
    /// <summary>Multilink MRRU (RFC 1990 5.1.1).</summary>
    public const byte Mrru = 17;
    /// <summary>Multilink Short Sequence Number Header Format (RFC 1990 5.1.2).</summary>
    public const byte ShortSequenceNumber = 18;
    /// <summary>Endpoint Discriminator (RFC 1990 5.1.3).</summary>
    public const byte EndpointDiscriminator = 19;
}
