using System.Diagnostics;
using Client;

namespace SstpBench;

/// <summary>
/// `setup`: --workers N connect loops, each doing full connects (TCP, TLS, SSTP, PPP LCP + MS-CHAPv2 + IPCP) followed by
/// a graceful disconnect, for --duration seconds (or --max-connects), once without and once with TLS resumption
/// (--resume off|on|both). Reports connects/s, the connect latency (ConnectAsync until IPCP up) and the CPU per connect
/// of the server (--server-pid) and of this load generator. Each variant first runs --warmup seconds unmeasured
/// (default 3): both processes are still JIT-compiling and tiering up for the first several seconds, which otherwise
/// lands in the first variant's figures.
/// </summary>
internal static class SetupMode
{
    /// <summary>.NET's switch for running socket completions on its epoll thread (read once, at the first socket).</summary>
    internal const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Runs the continuations of socket reads and writes on .NET's epoll thread instead of queueing each to the thread
    /// pool (unless the environment already sets <see cref="InlineCompletionsVariable"/>; "0" turns it off). A connect
    /// is ~15 small TLS records each way, and every completion otherwise costs a thread-pool wakeup and a context
    /// switch (~25 per connect, docs/benchmarks.md sections 7 and 13) on this VM, where a wakeup is an expensive
    /// syscall and often an IPI. The load generator's connect loops only await (nothing blocks), so one thread can run
    /// them; it then uses one core at most, which is all it gets next to a pinned server on this 2-core box. Must run
    /// before the first socket of the process: only for `setup`, the other modes move bulk data through TUN devices.
    /// </summary>
    public static void PrepareProcess()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }
    }

    public static async Task RunAsync(BenchOptions o, Target target, ServerProcess server, Report report)
    {
        int workers = o.GetInt("workers", 8);
        double duration = o.GetDouble("duration", 10);
        int maxConnects = o.GetInt("max-connects", 100_000);
        string resume = o.Get("resume", "both");
        double warmup = o.GetDouble("warmup", 3);
        bool freshNames = o.Get("full-handshakes", "fresh-names") switch
        {
            "fresh-names" => true,
            "no-resume" => false,
            string other => throw new ArgumentException($"--full-handshakes fresh-names|no-resume, not '{other}'"),
        };
        bool[] variants = resume switch
        {
            "off" => [false],
            "on" => [true],
            _ => [false, true],
        };
        foreach (bool allowResume in variants)
        {
            if (warmup > 0)
            {
                Console.Error.WriteLine($"setup: warm-up {warmup} s, TLS resumption {(allowResume ? "on" : "off")}");
                await RunLoopsAsync(target, allowResume, freshNames, workers, warmup, int.MaxValue, null).ConfigureAwait(false);
            }
            Console.Error.WriteLine($"setup: {workers} workers, {duration} s, TLS resumption {(allowResume ? "on" : "off")}");
            double cpu0 = server.CpuSeconds();
            TimeSpan self0 = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            Counts counts = await RunLoopsAsync(target, allowResume, freshNames, workers, duration, maxConnects, sw).ConfigureAwait(false);
            long ok = counts.Ok, failed = counts.Failed;
            Percentiles latency = counts.Latency;
            string? firstError = counts.FirstError;
            double seconds = sw.Elapsed.TotalSeconds;
            double cpu = server.CpuSeconds() - cpu0;
            double selfCpu = (Process.GetCurrentProcess().TotalProcessorTime - self0).TotalSeconds;
            var row = report.Row();
            row["mode"] = "setup";
            row["tls_resume"] = allowResume ? "on" : "off";
            row["full_handshakes"] = allowResume ? "-" : freshNames ? "fresh-names" : "no-resume";
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
            row["client_cpu_ms_per_connect"] = ok > 0 ? selfCpu * 1000 / ok : double.NaN;
            if (firstError is not null)
            {
                row["first_error"] = firstError;
            }
        }
    }

    private static long s_names;

    /// <summary>
    /// Without resumption (--full-handshakes): `fresh-names` (default) keeps .NET's TLS session cache on
    /// (AllowTlsResume) but gives every connect a TLS server name of its own, so the client never has a session to
    /// offer and every handshake is full, while .NET reuses its one cached client SSL_CTX. `no-resume` sets
    /// AllowTlsResume = false, with which .NET builds and frees an SSL_CTX for every connect (205 us of CPU here,
    /// docs/benchmarks.md section 7), a cost of .NET's option and not of a full handshake.
    /// </summary>
    internal static SstpClientSettings Settings(Target target, bool allowResume, bool freshNames) =>
        allowResume || !freshNames
            ? target.Settings(allowResume)
            : target.Settings(true, $"c{Interlocked.Increment(ref s_names)}.sstp-bench.target");

    private sealed record Counts(long Ok, long Failed, Percentiles Latency, string? FirstError);

    /// <summary>
    /// --workers loops of connect + graceful disconnect for <paramref name="duration"/> seconds (or
    /// <paramref name="maxConnects"/>); connects still running at the end may finish (bounded by the connect timeout),
    /// none start after it. Progress once a second when <paramref name="progress"/> is given.
    /// </summary>
    private static async Task<Counts> RunLoopsAsync(Target target, bool allowResume, bool freshNames, int workers,
        double duration, int maxConnects, Stopwatch? progress)
    {
        var latency = new Percentiles();
        long ok = 0, failed = 0, started = 0;
        string? firstError = null;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(duration));
        async Task Worker()
        {
            while (!stop.IsCancellationRequested && Interlocked.Increment(ref started) <= maxConnects)
            {
                long t0 = Stopwatch.GetTimestamp();
                SstpTunnelClient? c = null;
                try
                {
                    c = await SstpTunnelClient.ConnectAsync(Settings(target, allowResume, freshNames)).ConfigureAwait(false);
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
            if (progress is not null)
            {
                long now = Interlocked.Read(ref ok);
                Console.Error.WriteLine($"  [{progress.Elapsed.TotalSeconds,5:0.0}s] connects {now} (+{now - last}/s) failed {Interlocked.Read(ref failed)}");
                last = now;
            }
        }
        await all.ConfigureAwait(false);
        return new Counts(ok, failed, latency, firstError);
    }
}
