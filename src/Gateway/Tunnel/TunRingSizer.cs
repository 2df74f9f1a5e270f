namespace Gateway.Tunnel;

/// <summary>
/// Sizes the TUN device's transmit ring (kernel to gateway) so that it holds about <see cref="TargetBytes"/>, although
/// the kernel counts it in packets (<c>tx_queue_len</c>, 500 by default). Why: the ring is one FIFO in front of every
/// session's egress queue, and its depth in time is entries x bytes per entry / read rate. With offloads one entry is
/// a GSO super-packet of up to 64 KB, so 500 entries held up to 32 MB and a ping reply waited 35-415 ms behind a flood
/// toward its session before the gateway's own per-flow queue ever saw it (docs/benchmarks.md sections 11 and 13);
/// with ordinary packets of 1400 B or less, 500 entries are only 0.7 MB and a shorter ring drops under bursts
/// (64 entries cut a 4-session download by a third, section 11). So the length follows the mean bytes per read:
/// every <see cref="WindowMs"/> with enough reads, length = <see cref="TargetBytes"/> / mean, clamped to
/// [<see cref="MinLength"/>, <see cref="MaxLength"/>], and changed only when it moves by more than half (or to
/// under two thirds), so a steady mix does not make the kernel resize the ring every window.
/// Pure: the caller passes cumulative counters and the time, and applies a new length.
/// </summary>
public sealed class TunRingSizer
{
    /// <summary>Fewest entries: a burst of small packets (TCP ACKs of a download) between two reads must still fit.</summary>
    public const int MinLength = 64;

    /// <summary>Most entries: twice the kernel's default. At ~1.9 us per read (limits.md) the reader drains 1024 ordinary
    /// packets in about 2 ms; 2048 held a ping p99 of 29 ms under a flood of 1400-B datagrams against 13-15 ms with 500
    /// (docs/benchmarks.md section 13).</summary>
    public const int MaxLength = 1024;

    /// <summary>Reads in a window below which it says nothing about a backlog (an idle device keeps its ring).</summary>
    public const int MinReadsPerWindow = 64;

    private long _windowStartMs = long.MinValue;
    private long _windowReads;
    private long _windowBytes;

    /// <param name="targetBytes">Bytes the ring should hold (at least one 64 KB super-packet).</param>
    /// <param name="initialLength">The ring's length now.</param>
    /// <param name="windowMs">How often the length is reconsidered.</param>
    public TunRingSizer(long targetBytes, int initialLength, long windowMs = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetBytes, 65536);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowMs, 1);
        TargetBytes = targetBytes;
        Length = initialLength;
        WindowMs = windowMs;
    }

    public long TargetBytes { get; }

    public long WindowMs { get; }

    /// <summary>The ring length last decided (the initial one until a window asks for a change).</summary>
    public int Length { get; private set; }

    /// <summary>The length the ring should have for reads of <paramref name="meanBytes"/> each.</summary>
    public int IdealLength(double meanBytes) =>
        meanBytes <= 0 ? MaxLength : (int)Math.Clamp(Math.Round(TargetBytes / meanBytes), MinLength, MaxLength);

    /// <summary>
    /// Takes the device's cumulative <paramref name="reads"/> and <paramref name="bytes"/> read at
    /// <paramref name="nowMs"/>; true when a window ended with a new <see cref="Length"/> for the caller to apply.
    /// </summary>
    public bool Observe(long reads, long bytes, long nowMs)
    {
        if (_windowStartMs == long.MinValue)
        {
            Restart(reads, bytes, nowMs);
            return false;
        }
        if (nowMs - _windowStartMs < WindowMs)
        {
            return false;
        }

        long windowReads = reads - _windowReads;
        long windowBytes = bytes - _windowBytes;
        Restart(reads, bytes, nowMs);
        if (windowReads < MinReadsPerWindow)
        {
            return false;
        }

        int ideal = IdealLength((double)windowBytes / windowReads);
        if (ideal * 2 > Length * 3 || ideal * 3 < Length * 2 || (ideal is MinLength or MaxLength && ideal != Length))
        {
            Length = ideal;
            return true;
        }
        return false;
    }

    private void Restart(long reads, long bytes, long nowMs)
    {
        _windowStartMs = nowMs;
        _windowReads = reads;
        _windowBytes = bytes;
    }
}
