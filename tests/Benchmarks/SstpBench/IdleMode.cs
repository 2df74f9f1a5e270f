using Client;

namespace SstpBench;

/// <summary>
/// `idle`: opens --sessions N tunnels (--parallel connects in flight), holds them --hold seconds without traffic, and
/// reports the server's RSS (VmRSS of --server-pid and its children) before and while they are held, and the bytes per
/// session.
/// </summary>
internal static class IdleMode
{
    public static async Task RunAsync(BenchOptions o, Target target, ServerProcess server, Report report)
    {
        int sessions = o.GetInt("sessions", 100);
        int parallel = o.GetInt("parallel", 16);
        double hold = o.GetDouble("hold", 10);
        long rss0 = server.RssBytes();
        Console.Error.WriteLine($"idle: opening {sessions} sessions; server RSS before {rss0 / 1048576.0:0.0} MiB");
        var latency = new Percentiles();
        List<SstpTunnelClient> clients = await Sessions.OpenAsync(target, sessions, parallel, resume: true, latency).ConfigureAwait(false);
        try
        {
            long rssPeak = 0;
            for (double t = 0; t < hold; t += 1)
            {
                await Task.Delay(1000).ConfigureAwait(false);
                long rss = server.RssBytes();
                rssPeak = Math.Max(rssPeak, rss);
                int alive = clients.Count(c => !c.Completion.IsCompleted);
                Console.Error.WriteLine($"  [hold {t + 1,4:0}s] alive {alive}/{clients.Count}, server RSS {rss / 1048576.0:0.0} MiB");
            }
            long rss1 = server.RssBytes();
            int held = clients.Count(c => !c.Completion.IsCompleted);
            var row = report.Row();
            row["mode"] = "idle";
            row["sessions"] = held;
            row["requested"] = sessions;
            row["connect_p50_ms"] = latency.At(50);
            row["connect_p99_ms"] = latency.At(99);
            if (server.Known)
            {
                row["rss_before_mib"] = rss0 / 1048576.0;
                row["rss_held_mib"] = rss1 / 1048576.0;
                row["kib_per_session"] = held > 0 ? (rss1 - rss0) / 1024.0 / held : double.NaN;
            }
        }
        finally
        {
            await Sessions.CloseAsync(clients, parallel).ConfigureAwait(false);
        }
        if (server.Known)
        {
            await Task.Delay(2000).ConfigureAwait(false);
            Console.Error.WriteLine($"  after close: server RSS {server.RssBytes() / 1048576.0:0.0} MiB");
        }
    }
}
