using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

public class TunRingSizerTests
{
    private const long FourMiB = 4L * 1024 * 1024;

    /// <summary>Feeds one window of <paramref name="reads"/> reads of <paramref name="bytesPerRead"/> each.</summary>
    private static bool Window(TunRingSizer sizer, ref long reads, ref long bytes, ref long now, long readsInWindow, long bytesPerRead)
    {
        reads += readsInWindow;
        bytes += readsInWindow * bytesPerRead;
        now += sizer.WindowMs;
        return sizer.Observe(reads, bytes, now);
    }

    [Fact]
    public void Super_packets_shrink_the_ring_and_ordinary_packets_grow_it_to_the_bound()
    {
        var sizer = new TunRingSizer(FourMiB, initialLength: 500);
        long reads = 0, bytes = 0, now = 10_000;
        Assert.False(sizer.Observe(reads, bytes, now)); // the first call only starts the window

        // GSO flood: 46 segments of 1400 B plus headers and the virtio header per read.
        Assert.True(Window(sizer, ref reads, ref bytes, ref now, 12_000, 64_410));
        Assert.Equal(65, sizer.Length); // 4 MiB / 64,410 B

        // Ordinary 1400-B datagrams: 4 MiB would be 2,979 entries, held to the bound.
        Assert.True(Window(sizer, ref reads, ref bytes, ref now, 200_000, 1_412));
        Assert.Equal(TunRingSizer.MaxLength, sizer.Length);

        // Small packets only (ACKs, DNS): still the upper bound, never more.
        Assert.False(Window(sizer, ref reads, ref bytes, ref now, 300_000, 76));
        Assert.Equal(TunRingSizer.MaxLength, sizer.Length);
    }

    [Fact]
    public void A_mix_is_sized_by_its_mean_and_a_small_drift_changes_nothing()
    {
        var sizer = new TunRingSizer(FourMiB, initialLength: 500);
        long reads = 0, bytes = 0, now = 0;
        sizer.Observe(reads, bytes, now);

        // Half 64 KB super-packets, half 66-B ACKs: mean ~32 KB, so about 128 entries.
        reads += 5_000;
        bytes += 2_500L * 65_536 + 2_500L * 66;
        now += 1_000;
        Assert.True(sizer.Observe(reads, bytes, now));
        Assert.Equal(128, sizer.Length);

        // Ideal 150 and 90 are within the hysteresis (more than two thirds, less than one and a half): no resize.
        Assert.False(Window(sizer, ref reads, ref bytes, ref now, 1_000, FourMiB / 150));
        Assert.False(Window(sizer, ref reads, ref bytes, ref now, 1_000, FourMiB / 90));
        Assert.Equal(128, sizer.Length);

        // Ideal 200 is past it.
        Assert.True(Window(sizer, ref reads, ref bytes, ref now, 1_000, FourMiB / 200));
        Assert.Equal(200, sizer.Length);
    }

    [Fact]
    public void Lengths_reach_the_bounds_exactly()
    {
        var sizer = new TunRingSizer(FourMiB, initialLength: 80);
        long reads = 0, bytes = 0, now = 0;
        sizer.Observe(reads, bytes, now);
        // Ideal 64 is within the hysteresis of 80 but is the lower bound: taken.
        Assert.True(Window(sizer, ref reads, ref bytes, ref now, 1_000, 65_536));
        Assert.Equal(TunRingSizer.MinLength, sizer.Length);
        Assert.False(Window(sizer, ref reads, ref bytes, ref now, 1_000, 65_536));
    }

    [Fact]
    public void Nothing_changes_before_the_window_ends_or_with_too_few_reads()
    {
        var sizer = new TunRingSizer(FourMiB, initialLength: 500, windowMs: 1_000);
        sizer.Observe(0, 0, 0);
        Assert.False(sizer.Observe(10_000, 10_000L * 65_536, 999)); // window not over
        Assert.Equal(500, sizer.Length);
        // The window ends with 10,000 reads of 64 KB: 64.
        Assert.True(sizer.Observe(10_000, 10_000L * 65_536, 1_000));
        Assert.Equal(64, sizer.Length);
        // An almost idle second (a few 1400-B packets would ask for the upper bound): ignored.
        Assert.False(sizer.Observe(10_000 + TunRingSizer.MinReadsPerWindow - 1, 10_000L * 65_536 + 63 * 1_400, 2_000));
        Assert.Equal(64, sizer.Length);
        // That window still ended: the next starts at 2,000 ms, so its reads are judged alone.
        Assert.False(sizer.Observe(20_000, 20_000L * 65_536, 2_999));
        Assert.False(sizer.Observe(20_000, 20_000L * 65_536, 3_000));
    }

    [Fact]
    public void Arguments_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TunRingSizer(65_535, 500));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TunRingSizer(FourMiB, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TunRingSizer(FourMiB, 500, windowMs: 0));
        Assert.Equal(TunRingSizer.MaxLength, new TunRingSizer(FourMiB, 500).IdealLength(0));
    }
}
