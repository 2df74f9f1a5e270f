namespace Gateway.Tunnel;

/// <summary>
/// Bounds of one session's queue toward its client. The client's TCP runs inside our TLS/TCP connection
/// (TCP-over-TCP), and a deep queue only adds seconds of latency instead of signalling congestion (sstp-protocol.md
/// section 8), so what keeps the standing queue short is CoDel per flow (below), not the size: the bounds are hard
/// limits on memory. 1 MiB is about 4 ms at 2 Gbit/s; with 256 KiB a single TCP download through one session lost
/// 65k packets in 6 s to drop-tail and ran at 0.98 Gbit/s, against 34k and 1.48 with 1 MiB, while ping p99 through
/// the same session stayed 8-13 ms under that download and 24-43 ms under a UDP flood (docs/benchmarks.md section
/// 12). Bound to the "Tunnel:Egress" configuration section.
/// </summary>
public sealed class EgressQueueOptions
{
    /// <summary>Most bytes queued (IP packet bytes). Default 1 MiB.</summary>
    public int MaxBytes { get; set; } = 1024 * 1024;

    /// <summary>Most packets queued (bounds the cost of many tiny packets). Default 2048.</summary>
    public int MaxPackets { get; set; } = 2048;

    /// <summary>Flow queues (RFC 8290): packets are hashed by their 5-tuple into this many queues, served by deficit
    /// round robin with one quantum (1514 bytes) per turn, so a ping or an ACK never waits behind a bulk flow's
    /// backlog, and when the bounds are reached the fattest flow loses packets, not a sparse one. 1 = one FIFO
    /// (drop-tail). Default 64.</summary>
    public int FlowQueues { get; set; } = 64;

    /// <summary>Whether packets that stood in the queue too long are dropped at dequeue (CoDel, RFC 8289).</summary>
    public bool CoDel { get; set; } = true;

    /// <summary>CoDel TARGET: acceptable standing queue delay in milliseconds (RFC 8289 4.3 suggests 5 ms; the TLS
    /// write itself takes a few ms here, so 10 ms).</summary>
    public int TargetDelayMs { get; set; } = 10;

    /// <summary>CoDel INTERVAL in milliseconds (RFC 8289 4.4: 100 ms, a worst-case RTT).</summary>
    public int IntervalMs { get; set; } = 100;
}
