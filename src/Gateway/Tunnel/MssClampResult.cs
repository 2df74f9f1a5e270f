namespace Gateway.Tunnel;

/// <summary>Outcome of <see cref="TcpMssClamp.Clamp"/>. Only <see cref="Clamped"/> changed the packet.</summary>
public enum MssClampResult
{
    /// <summary>Not TCP, not a SYN, or a non-first fragment: nothing to do.</summary>
    NotTcpSyn,
    /// <summary>A SYN without an MSS option: left alone (the peer then assumes 536/1220, RFC 9293 3.7.1).</summary>
    NoMssOption,
    /// <summary>The MSS option was already at or below the clamp.</summary>
    AlreadyWithinLimit,
    /// <summary>The MSS option was lowered and the TCP checksum fixed incrementally.</summary>
    Clamped,
    /// <summary>The IP or TCP header is malformed (bad lengths or options running past the header).</summary>
    Malformed,
}
