namespace Gateway.Sessions;

/// <summary>Settings of the session pump; bound to the "Sessions" configuration section.</summary>
public sealed class SessionOptions
{
    public const string SectionName = "Sessions";

    /// <summary>How long a graceful disconnect (LCP Terminate, CALL_DISCONNECT, TLS close) may take at shutdown.</summary>
    public int ShutdownGraceMs { get; set; } = 10_000;

    /// <summary>
    /// Most bytes of SSTP data packets written toward the peer in one turn of the write loop, in TLS records of up to
    /// 16 KiB each, before control frames get their turn again.
    /// </summary>
    public int MaxCoalesceBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Puts the last SSTP packet of every burst in a TLS record of its own (the packets before it stay coalesced).
    /// Needed by Linux sstpc 1.0.18, which reads one SSTP packet per readable event of its socket: packets left in
    /// its TLS buffer after the last record of a burst wait for the next record (a CHAP Challenge sent with the LCP
    /// Configure-Ack waited 3 s for its retransmission). Costs one extra record per burst.
    /// </summary>
    public bool SeparateTailRecord { get; set; } = true;

    /// <summary>
    /// Size of the pump's reads from the connection's TLS stream (0: read through the connection's own pipe). Kestrel's
    /// TLS pipe reads at most 4 KiB (one memory-pool block) at a time, so one batch of uplink packets held about three
    /// 1400-byte packets and the TUN coalescer could merge no more than that; reading the SslStream directly returns a
    /// whole TLS record (up to 16 KiB) per read. The buffer is taken only when data arrives (zero-byte reads), so an
    /// idle session holds none.
    /// </summary>
    public int TlsReadBytes { get; set; } = 64 * 1024;

    /// <summary>How often a session's byte and packet counters are written to the session store.</summary>
    public int CounterRefreshMs { get; set; } = 5_000;

    /// <summary>How long address allocation for one session may take before the call is refused.</summary>
    public int AddressAllocationTimeoutMs { get; set; } = 10_000;
}
