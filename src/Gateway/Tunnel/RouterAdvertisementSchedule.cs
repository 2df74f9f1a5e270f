namespace Gateway.Tunnel;

/// <summary>
/// When a PPP link's next Router Advertisement is due (RFC 4861 6.2.4, 6.2.6). Pure: times are milliseconds from the
/// caller's clock. The first advertisement goes out at <see cref="Start"/>, the next ones of the first
/// <see cref="MaxInitialAdvertisements"/> at most <see cref="MaxInitialIntervalMs"/> apart, then one every interval
/// (so the router lifetime, 3 intervals, never runs out while the link lives). A solicitation brings the next one
/// forward to now plus a random 0..<see cref="MaxRaDelayMs"/>, but not sooner than <see cref="MinDelayBetweenRasMs"/>
/// after the last one (the answer goes to all-nodes, which on a PPP link is the client).
/// </summary>
public sealed class RouterAdvertisementSchedule(long intervalMs)
{
    /// <summary>MAX_INITIAL_RTR_ADVERTISEMENTS (RFC 4861 10).</summary>
    public const int MaxInitialAdvertisements = 3;

    /// <summary>MAX_INITIAL_RTR_ADVERT_INTERVAL, 16 s (RFC 4861 10).</summary>
    public const long MaxInitialIntervalMs = 16_000;

    /// <summary>MIN_DELAY_BETWEEN_RAS, 3 s (RFC 4861 10).</summary>
    public const long MinDelayBetweenRasMs = 3_000;

    /// <summary>MAX_RA_DELAY_TIME, 0.5 s (RFC 4861 10).</summary>
    public const long MaxRaDelayMs = 500;

    private bool _running;
    private int _sent;
    private long _lastSentMs;

    /// <summary>When the next advertisement is due; <see cref="long.MaxValue"/> while stopped.</summary>
    public long NextDueMs { get; private set; } = long.MaxValue;

    /// <summary>Advertisements sent since <see cref="Start"/>.</summary>
    public int Sent => _sent;

    /// <summary>The link's IPv6 is up: the first advertisement is due now.</summary>
    public void Start(long nowMs)
    {
        _running = true;
        _sent = 0;
        NextDueMs = nowMs;
    }

    /// <summary>The link's IPv6 is down: nothing more is due.</summary>
    public void Stop()
    {
        _running = false;
        NextDueMs = long.MaxValue;
    }

    /// <summary>True when an advertisement should go out at <paramref name="nowMs"/>.</summary>
    public bool IsDue(long nowMs) => _running && nowMs >= NextDueMs;

    /// <summary>An advertisement went out at <paramref name="nowMs"/>: schedules the next one.</summary>
    public void OnSent(long nowMs)
    {
        _sent++;
        _lastSentMs = nowMs;
        NextDueMs = nowMs + (_sent < MaxInitialAdvertisements ? Math.Min(intervalMs, MaxInitialIntervalMs) : intervalMs);
    }

    /// <summary>A valid Router Solicitation arrived; <paramref name="randomDelayMs"/> is drawn by the caller.</summary>
    public void OnSolicitation(long nowMs, long randomDelayMs)
    {
        if (!_running)
        {
            return;
        }

        long due = nowMs + Math.Clamp(randomDelayMs, 0, MaxRaDelayMs);
        if (_sent > 0)
        {
            due = Math.Max(due, _lastSentMs + MinDelayBetweenRasMs);
        }

        NextDueMs = Math.Min(NextDueMs, due);
    }
}
