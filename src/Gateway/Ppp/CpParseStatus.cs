namespace Gateway.Ppp;

/// <summary>Result of parsing a control protocol packet or its options (RFC 1661 5, 6).</summary>
public enum CpParseStatus
{
    Ok,
    /// <summary>Fewer than the 4 header bytes (Code, Identifier, Length).</summary>
    TooShortForHeader,
    /// <summary>The Length field is below 4.</summary>
    LengthBelowHeader,
    /// <summary>The Length field claims more bytes than were received (RFC 1661 5: silently discard).</summary>
    LengthExceedsData,
    /// <summary>An option has fewer than 2 bytes left for Type and Length.</summary>
    OptionTruncated,
    /// <summary>An option's Length is below 2 or runs past the end of the packet.</summary>
    OptionLengthInvalid,
}
