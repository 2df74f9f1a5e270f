namespace Gateway.Ppp;

/// <summary>Result of <see cref="PppFrame.TryParse"/>.</summary>
public enum PppFrameStatus
{
    Ok,
    /// <summary>No bytes at all, or only <c>FF 03</c>.</summary>
    Empty,
    /// <summary>A 2-byte protocol field was cut off after its first byte.</summary>
    TruncatedProtocol,
    /// <summary>The protocol field breaks RFC 1661 2 (low octet even, or <c>FF 03</c> missing its second byte).</summary>
    InvalidProtocol,
}
