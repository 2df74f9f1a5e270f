namespace Gateway.Ppp;

/// <summary>Control protocol packet codes (RFC 1661 5; 12 and 13 from RFC 1570).</summary>
public static class CpCode
{
    public const byte ConfigureRequest = 1;
    public const byte ConfigureAck = 2;
    public const byte ConfigureNak = 3;
    public const byte ConfigureReject = 4;
    public const byte TerminateRequest = 5;
    public const byte TerminateAck = 6;
    public const byte CodeReject = 7;
    /// <summary>LCP only (RFC 1661 5.7).</summary>
    public const byte ProtocolReject = 8;
    /// <summary>LCP only (RFC 1661 5.8).</summary>
    public const byte EchoRequest = 9;
    public const byte EchoReply = 10;
    public const byte DiscardRequest = 11;
    /// <summary>LCP Identification (RFC 1570 2.1); Windows sends "MSRASV5.20" etc. after LCP is Opened.</summary>
    public const byte Identification = 12;
    /// <summary>LCP Time-Remaining (RFC 1570 2.2).</summary>
    public const byte TimeRemaining = 13;
}
