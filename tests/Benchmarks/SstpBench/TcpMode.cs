using System.Diagnostics;
using Client;

namespace SstpBench;

/// <summary>
/// `tcp`: TCP through the tunnel. One session is attached to a TUN device in a client namespace of its own
/// (<see cref="TunSession"/>) and `iperf3 -c` runs from there to an `iperf3 -s` behind the server (--sink, port
/// --iperf3-port, started by whoever started the sink), for each direction in --directions (up = client to server,
/// down = `-R`) and each stream count in --streams, --duration seconds each. Reports the Gbit/s the receiver counted,
/// the sender's TCP retransmissions, and with --server-pid the server's CPU % and CPU seconds per GB.
/// </summary>
internal static class TcpMode
{
    public static async Task RunAsync(BenchOptions o, Target target, ServerProcess server, Report report)
    {
        double duration = o.GetDouble("duration", 10);
        int[] streams = o.GetInts("streams", "1");
        string[] directions = o.Get("directions", "up,down").Split(',');
        int port = o.GetInt("iperf3-port", 5201);
        int mtu = o.GetInt("mtu", 1400);
        string? netns = o.Get("netns");
        var metrics = new ServerMetrics(o.Get("server-metrics"));

        List<SstpTunnelClient> opened = await Sessions.OpenAsync(target, 1, 1, resume: true).ConfigureAwait(false);
        SstpTunnelClient client = opened.Count == 1 ? opened[0] : throw new InvalidOperationException("the session did not come up");
        TunSession? tun = null;
        try
        {
            tun = TunSession.Attach(client, target.Sink, netns, mtu);
            double warmup = o.GetDouble("warmup", 2);
            if (warmup > 0)
            {
                // Unmeasured: the server's JIT-compiled data path (tiered compilation, PGO) reaches its optimized code
                // in both directions before the clock starts, as it would after its first minute in service.
                Console.Error.WriteLine($"tcp: warm-up, iperf3 {warmup} s each way (not measured)");
                foreach (string direction in directions)
                {
                    await Iperf3.RunAsync(tun.Netns, target.Sink, port, warmup, 1, reverse: direction == "down").ConfigureAwait(false);
                }
            }
            foreach (string direction in directions)
            {
                foreach (int n in streams)
                {
                    Console.Error.WriteLine($"tcp: iperf3 {direction}, {n} stream(s), {duration} s, to {target.Sink}:{port}");
                    double cpu0 = server.CpuSeconds();
                    TimeSpan self0 = Process.GetCurrentProcess().TotalProcessorTime;
                    long drops0 = client.SendDrops;
                    long tunReads0 = tun.Device.Reads, tunUp0 = tun.Device.PacketsDelivered;
                    long tunWrites0 = client.TunWrites, tunDown0 = client.TunPacketsWritten;
                    var egress0 = metrics.EgressDrops();
                    var sw = Stopwatch.StartNew();
                    Iperf3.Result r = await Iperf3.RunAsync(tun.Netns, target.Sink, port, duration, n, reverse: direction == "down").ConfigureAwait(false);
                    double seconds = sw.Elapsed.TotalSeconds;
                    double cpu = server.CpuSeconds() - cpu0;
                    double self = (Process.GetCurrentProcess().TotalProcessorTime - self0).TotalSeconds;

                    var row = report.Row();
                    row["mode"] = "tcp";
                    row["dir"] = direction;
                    row["streams"] = n;
                    row["seconds"] = r.Seconds;
                    row["gbps"] = r.ReceivedGbps;
                    row["sender_gbps"] = r.SentGbps;
                    row["retransmits"] = r.Retransmits;
                    row["client_queue_drops"] = client.SendDrops - drops0;
                    // The client's TUN syscalls: with offloads far fewer than packets (super-packets both ways).
                    row["client_tun_reads"] = tun.Device.Reads - tunReads0;
                    row["client_tun_read_pkts"] = tun.Device.PacketsDelivered - tunUp0;
                    row["client_tun_writes"] = client.TunWrites - tunWrites0;
                    row["client_tun_write_pkts"] = client.TunPacketsWritten - tunDown0;
                    metrics.Report(row, egress0);
                    row["bench_cpu_pct"] = self / seconds * 100;
                    row["iperf3_cpu_pct"] = r.LocalCpuPct;
                    if (server.Known)
                    {
                        // Over the whole iperf3 run (its connect and result exchange included), per GB the receiver got.
                        row["server_cpu_pct"] = cpu / seconds * 100;
                        row["server_cpu_s_per_gb"] = r.ReceivedBytes > 0 ? cpu / (r.ReceivedBytes / 1e9) : double.NaN;
                    }
                    await Task.Delay(500).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await Sessions.CloseAsync([client], 1).ConfigureAwait(false);
            tun?.Dispose();
        }
    }
}
