namespace Gateway.Ppp;

/// <summary>One configuration option (RFC 1661 6): Type, Length, Value.</summary>
public readonly ref struct CpOption
{
    public CpOption(ReadOnlySpan<byte> raw)
    {
        Raw = raw;
    }

    public byte Type => Raw[0];

    /// <summary>The whole TLV as received, for a verbatim Configure-Reject.</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>The bytes after Type and Length.</summary>
    public ReadOnlySpan<byte> Value => Raw[2..];
}
