using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

public class RouterAdvertisementScheduleTests
{
    private const long Interval = 600_000;

    private static void SendAt(RouterAdvertisementSchedule s, long now)
    {
        Assert.True(s.IsDue(now));
        s.OnSent(now);
    }

    [Fact]
    public void Three_initial_advertisements_16_s_apart_then_one_per_interval()
    {
        var s = new RouterAdvertisementSchedule(Interval);
        Assert.False(s.IsDue(0));
        s.Start(1000);
        SendAt(s, 1000);
        Assert.Equal(17_000, s.NextDueMs);
        Assert.False(s.IsDue(16_999));
        SendAt(s, 17_000);
        Assert.Equal(33_000, s.NextDueMs);
        SendAt(s, 33_000);
        Assert.Equal(633_000, s.NextDueMs);
        SendAt(s, 633_000);
        Assert.Equal(1_233_000, s.NextDueMs);
        Assert.Equal(4, s.Sent);
    }

    [Fact]
    public void A_solicitation_brings_the_next_one_forward_but_not_within_3_s_of_the_last()
    {
        var s = new RouterAdvertisementSchedule(Interval);
        s.Start(0);
        SendAt(s, 0);
        s.OnSolicitation(1000, randomDelayMs: 100);
        Assert.Equal(3000, s.NextDueMs);
        SendAt(s, 3000);
        s.OnSolicitation(10_000, randomDelayMs: 400);
        Assert.Equal(10_400, s.NextDueMs);
        // A random delay beyond MAX_RA_DELAY_TIME is clamped; an earlier scheduled one is kept.
        s.OnSolicitation(10_000, randomDelayMs: 5000);
        Assert.Equal(10_400, s.NextDueMs);
    }

    [Fact]
    public void Stopped_schedule_is_never_due_and_ignores_solicitations()
    {
        var s = new RouterAdvertisementSchedule(Interval);
        s.Start(0);
        s.Stop();
        s.OnSolicitation(10, 0);
        Assert.False(s.IsDue(long.MaxValue - 1));
        Assert.Equal(long.MaxValue, s.NextDueMs);
    }
}
