using System.Diagnostics;
using Client;

namespace SstpBench;

/// <summary>Opens and closes many tunnel sessions with a bounded number of connects in flight.</summary>
internal static class Sessions
{
    public static async Task<List<SstpTunnelClient>> OpenAsync(Target target, int count, int parallel, bool resume,
        Percentiles? latency = null, CancellationToken ct = default)
    {
        var clients = new List<SstpTunnelClient>(count);
        var errors = new List<string>();
        int next = 0;
        var sw = Stopwatch.StartNew();
        long lastPrint = 0;
        async Task Worker()
        {
            while (Interlocked.Increment(ref next) <= count && !ct.IsCancellationRequested)
            {
                long start = Stopwatch.GetTimestamp();
                try
                {
                    SstpTunnelClient c = await SstpTunnelClient.ConnectAsync(target.Settings(resume), null, ct).ConfigureAwait(false);
                    latency?.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    lock (clients)
                    {
                        clients.Add(c);
                        if (sw.ElapsedMilliseconds - lastPrint >= 1000)
                        {
                            lastPrint = sw.ElapsedMilliseconds;
                            Console.Error.WriteLine($"  [{sw.Elapsed.TotalSeconds,5:0.0}s] opened {clients.Count}/{count}");
                        }
                    }
                }
                catch (SstpClientException ex)
                {
                    lock (errors)
                    {
                        errors.Add(ex.Message);
                        if (errors.Count >= Math.Max(5, count / 10))
                        {
                            throw new InvalidOperationException(
                                $"{errors.Count} connects failed, e.g.: {string.Join(" | ", errors.Distinct().Take(3))}");
                        }
                    }
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, Math.Min(parallel, count))).Select(_ => Task.Run(Worker, ct))).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            Console.Error.WriteLine($"  {errors.Count} connects failed, e.g.: {string.Join(" | ", errors.Distinct().Take(3))}");
        }
        Console.Error.WriteLine($"  opened {clients.Count} sessions in {sw.Elapsed.TotalSeconds:0.0} s");
        return clients;
    }

    public static async Task CloseAsync(IReadOnlyList<SstpTunnelClient> clients, int parallel)
    {
        int next = -1;
        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < clients.Count)
            {
                try
                {
                    await clients[i].DisconnectAsync("bench done").ConfigureAwait(false);
                }
                finally
                {
                    await clients[i].DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, Math.Min(parallel, clients.Count))).Select(_ => Task.Run(Worker))).ConfigureAwait(false);
    }
}
