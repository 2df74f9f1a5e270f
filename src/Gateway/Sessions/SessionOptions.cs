namespace Gateway.Sessions;

/// <summary>Settings of the session pump; bound to the "Sessions" configuration section.</summary>
public sealed class SessionOptions
{
    public const string SectionName = "Sessions";

    /// <summary>How long a graceful disconnect (LCP Terminate, CALL_DISCONNECT, TLS close) may take at shutdown.</summary>
    public int ShutdownGraceMs { get; set; } = 10_000;

    /// <summary>Most bytes of SSTP data packets coalesced into one flush toward the client (one or a few TLS records).</summary>
    public int MaxCoalesceBytes { get; set; } = 64 * 1024;

    /// <summary>How often a session's byte and packet counters are written to the session store.</summary>
    public int CounterRefreshMs { get; set; } = 5_000;

    /// <summary>How long address allocation for one session may take before the call is refused.</summary>
    public int AddressAllocationTimeoutMs { get; set; } = 10_000;
}
