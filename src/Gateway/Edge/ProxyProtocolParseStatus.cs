namespace Gateway.Edge;

public enum ProxyProtocolParseStatus
{
    /// <summary>The bytes so far are a valid prefix of a PROXY header; read more.</summary>
    Incomplete,

    /// <summary>A complete header was parsed; the consumed position follows it.</summary>
    Done,

    /// <summary>Not a PROXY header, or a malformed one (the connection must be dropped).</summary>
    Invalid,
}
