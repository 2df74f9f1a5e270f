namespace Gateway.Ppp;

/// <summary>IPv6CP configuration option types (RFC 5072 4).</summary>
public static class Ipv6cpOption
{
    /// <summary>Interface-Identifier, 8 bytes (RFC 5072 4.1).</summary>
    public const byte InterfaceIdentifier = 1;
    /// <summary>IPv6-Compression-Protocol (RFC 5072 4.2): rejected.</summary>
    public const byte CompressionProtocol = 2;
}
