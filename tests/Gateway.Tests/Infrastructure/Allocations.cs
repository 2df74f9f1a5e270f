namespace Gateway.Tests.Infrastructure;

/// <summary>Measures what a hot path allocates once it is warm (JIT done, pools filled).</summary>
internal static class Allocations
{
    /// <summary>
    /// Runs <paramref name="round"/> <paramref name="warmup"/> times unmeasured, then <paramref name="measured"/> times,
    /// and returns the bytes this thread allocated during the measured runs.
    /// </summary>
    public static long AfterWarmup(Action round, int warmup, int measured)
    {
        for (int i = 0; i < warmup; i++)
        {
            round();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < measured; i++)
        {
            round();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
