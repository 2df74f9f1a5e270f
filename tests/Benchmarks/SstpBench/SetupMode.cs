using System.Diagnostics;
using Client;

namespace SstpBench;

/// <summary>
/// `setup`: --workers N connect loops, each doing full connects (TCP, TLS, SSTP, PPP LCP + MS-CHAPv2 + IPCP) followed by
/// a graceful disconnect, for --duration seconds (or --max-connects), once without and once with TLS resumption
/// (--resume off|on|both). Reports connects/s and the connect latency (ConnectAsync until IPCP up).
/// </summary>
internal static class SetupMode
{
    public static async Task RunAsync(BenchOptions o, Target target, ServerProcess server, Report report)
    {
        int workers = o.GetInt("workers", 8);
        double duration = o.GetDouble("duration", 10);
        int maxConnects = o.GetInt("max-connects", 100_000);
        string resume = o.Get("resume", "both");
        bool[] variants = resume switch
        {
            "off" => [false],
            "on" => [true],
            _ => [false, true],
        };
        foreach (bool allowResume in variants)
        {
            Console.Error.WriteLine($"setup: {workers} workers, {duration} s, TLS resumption {(allowResume ? "on" : "off")}");
            var latency = new Percentiles();
            long ok = 0, failed = 0, started = 0;
            string? firstError = null;
            double cpu0 = server.CpuSeconds();
            var sw = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(duration));
            // Connects still running at the end may finish (bounded by the connect timeout); none start after it.
            async Task Worker()
            {
                while (!stop.IsCancellationRequested && Interlocked.Increment(ref started) <= maxConnects)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    SstpTunnelClient? c = null;
                    try
                    {
                        c = await SstpTunnelClient.ConnectAsync(target.Settings(allowResume)).ConfigureAwait(false);
                        latency.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                        Interlocked.Increment(ref ok);
                        await c.DisconnectAsync("bench").ConfigureAwait(false);
                    }
                    catch (SstpClientException ex)
                    {
                        Interlocked.Increment(ref failed);
                        firstError ??= ex.Message;
                    }
                    finally
                    {
                        if (c is not null)
                        {
                            await c.DisposeAsync().ConfigureAwait(false);
                        }
                    }
                }
            }
            Task all = Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(Worker)));
            long last = 0;
            while (!all.IsCompleted)
            {
                await Task.WhenAny(all, Task.Delay(1000)).ConfigureAwait(false);
                long now = Interlocked.Read(ref ok);
                Console.Error.WriteLine($"  [{sw.Elapsed.TotalSeconds,5:0.0}s] connects {now} (+{now - last}/s) failed {Interlocked.Read(ref failed)}");
                last = now;
            }
            double seconds = sw.Elapsed.TotalSeconds;
            double cpu = server.CpuSeconds() - cpu0;
            var row = report.Row();
            row["mode"] = "setup";
            row["tls_resume"] = allowResume ? "on" : "off";
            row["workers"] = workers;
            row["connects"] = ok;
            row["failed"] = failed;
            row["seconds"] = seconds;
            row["connects_per_s"] = ok / seconds;
            row["p50_ms"] = latency.At(50);
            row["p95_ms"] = latency.At(95);
            row["p99_ms"] = latency.At(99);
            if (server.Known)
            {
                row["server_cpu_ms_per_connect"] = ok > 0 ? cpu * 1000 / ok : double.NaN;
            }
            if (firstError is not null)
            {
                row["first_error"] = firstError;
            }
        }
    }
}
