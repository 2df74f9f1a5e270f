using System.Diagnostics;
using Client;

namespace SstpBench;

/// <summary>
/// `tcp`: TCP through the tunnel. Each session is attached to a TUN device in a client namespace of its own
/// (<see cref="TunSession"/>) and `iperf3 -c` runs from there to an `iperf3 -s` behind the server (--sink), for each
/// direction in --directions (up = client to server, down = `-R`), each session count in --sessions and each stream
/// count in --streams (iperf3 -P, per session), --duration seconds each. With N sessions, N iperf3 clients start
/// together, session i against port --iperf3-port + i: an iperf3 server takes one test at a time, so whoever starts
/// the servers starts one per session. Reports the Gbit/s the receivers counted and the senders' TCP retransmissions,
/// summed over the sessions (and the slowest and fastest session), and with --server-pid the server's CPU % and CPU
/// seconds per GB received.
/// </summary>
internal static class TcpMode
{
    public static async Task RunAsync(BenchOptions o, Target target, ServerProcess server, Report report)
    {
        double duration = o.GetDouble("duration", 10);
        int[] streams = o.GetInts("streams", "1");
        int[] sessionCounts = o.GetInts("sessions", "1");
        string[] directions = o.Get("directions", "up,down").Split(',');
        int port = o.GetInt("iperf3-port", 5201);
        int mtu = o.GetInt("mtu", 1400);
        string netns = o.Get("netns") ?? $"sstpb-{Environment.ProcessId}";
        var metrics = new ServerMetrics(o.Get("server-metrics"));
        int sessions = sessionCounts.Length > 0 ? sessionCounts.Max() : throw new ArgumentException("--sessions is empty");
        if (sessionCounts.Any(n => n < 1))
        {
            throw new ArgumentException("--sessions: each count must be at least 1");
        }

        List<SstpTunnelClient> clients = await Sessions.OpenAsync(target, sessions, 8, resume: true).ConfigureAwait(false);
        var tuns = new List<TunSession>(sessions);
        try
        {
            if (clients.Count < sessions)
            {
                throw new InvalidOperationException($"only {clients.Count} of {sessions} sessions came up");
            }
            for (int i = 0; i < sessions; i++)
            {
                // Session 0 keeps the plain names of the one-session mode; the others get their index appended.
                tuns.Add(TunSession.Attach(clients[i], target.Sink, i == 0 ? netns : $"{netns}-{i}", mtu, $"sstpb{i}"));
            }
            double warmup = o.GetDouble("warmup", 2);
            if (warmup > 0)
            {
                // Unmeasured: the server's JIT-compiled data path (tiered compilation, PGO) reaches its optimized code
                // in both directions before the clock starts, as it would after its first minute in service. Through
                // every session at once: after a warm-up through one session, a first 4-session run (no one-session
                // runs before it, shared box under load) still found the gateway's uplink code in its instrumented
                // (PGO) tier.
                Console.Error.WriteLine($"tcp: warm-up, iperf3 {warmup} s each way through {sessions} session(s) (not measured)");
                foreach (string direction in directions)
                {
                    await Task.WhenAll(tuns.Select((tun, i) =>
                        Iperf3.RunAsync(tun.Netns, target.Sink, port + i, warmup, 1, reverse: direction == "down"))).ConfigureAwait(false);
                }
            }
            foreach (string direction in directions)
            {
                foreach (int n in sessionCounts)
                {
                    foreach (int s in streams)
                    {
                        await MeasureAsync(direction, n, s).ConfigureAwait(false);
                        await Task.Delay(500).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            await Sessions.CloseAsync(clients, 8).ConfigureAwait(false);
            foreach (TunSession tun in tuns)
            {
                tun.Dispose();
            }
        }

        async Task MeasureAsync(string direction, int n, int s)
        {
            string ports = n == 1 ? $"{port}" : $"{port}-{port + n - 1}";
            Console.Error.WriteLine($"tcp: iperf3 {direction}, {n} session(s) x {s} stream(s), {duration} s, to {target.Sink}:{ports}");
            var used = clients.Take(n).ToList();
            double cpu0 = server.CpuSeconds();
            TimeSpan self0 = Process.GetCurrentProcess().TotalProcessorTime;
            ClientCounters before = ClientCounters.Of(used, tuns);
            var egress0 = metrics.EgressDrops();
            var sw = Stopwatch.StartNew();
            // All clients start together; each measures its own --duration, so their intervals overlap but for the
            // few milliseconds between the process starts.
            Iperf3.Result[] results = await Task.WhenAll(Enumerable.Range(0, n).Select(i =>
                Iperf3.RunAsync(tuns[i].Netns, target.Sink, port + i, duration, s, reverse: direction == "down"))).ConfigureAwait(false);
            double seconds = sw.Elapsed.TotalSeconds;
            double cpu = server.CpuSeconds() - cpu0;
            double self = (Process.GetCurrentProcess().TotalProcessorTime - self0).TotalSeconds;
            ClientCounters after = ClientCounters.Of(used, tuns);
            Iperf3.Total total = Iperf3.Sum(results);
            if (n > 1)
            {
                for (int i = 0; i < n; i++)
                {
                    Console.Error.WriteLine($"  session {i} ({clients[i].Address}): {results[i].ReceivedGbps:0.000} Gbit/s, {results[i].Retransmits} retransmits");
                }
            }
            Console.Error.WriteLine($"  total: {total.ReceivedGbps:0.000} Gbit/s, {total.Retransmits} retransmits");

            var row = report.Row();
            row["mode"] = "tcp";
            row["dir"] = direction;
            row["sessions"] = n;
            row["streams"] = s;
            row["seconds"] = total.Seconds;
            row["gbps"] = total.ReceivedGbps;
            row["sender_gbps"] = total.SentGbps;
            row["min_session_gbps"] = total.MinGbps;
            row["max_session_gbps"] = total.MaxGbps;
            row["retransmits"] = total.Retransmits;
            row["client_queue_drops"] = after.SendDrops - before.SendDrops;
            // The clients' TUN syscalls: with offloads far fewer than packets (super-packets both ways).
            row["client_tun_reads"] = after.TunReads - before.TunReads;
            row["client_tun_read_pkts"] = after.TunReadPackets - before.TunReadPackets;
            row["client_tun_writes"] = after.TunWrites - before.TunWrites;
            row["client_tun_write_pkts"] = after.TunWritePackets - before.TunWritePackets;
            metrics.Report(row, egress0);
            row["bench_cpu_pct"] = self / seconds * 100;
            row["iperf3_cpu_pct"] = total.LocalCpuPct;
            if (server.Known)
            {
                // Over the whole iperf3 runs (their connects and result exchanges included), per GB the receivers got.
                row["server_cpu_pct"] = cpu / seconds * 100;
                row["server_cpu_s_per_gb"] = total.ReceivedBytes > 0 ? cpu / (total.ReceivedBytes / 1e9) : double.NaN;
            }
        }
    }

    /// <summary>The client-side counters of the sessions in a run, summed.</summary>
    private readonly record struct ClientCounters(long SendDrops, long TunReads, long TunReadPackets, long TunWrites, long TunWritePackets)
    {
        public static ClientCounters Of(List<SstpTunnelClient> clients, List<TunSession> tuns)
        {
            long drops = 0, reads = 0, readPkts = 0, writes = 0, writePkts = 0;
            for (int i = 0; i < clients.Count; i++)
            {
                drops += clients[i].SendDrops;
                reads += tuns[i].Device.Reads;
                readPkts += tuns[i].Device.PacketsDelivered;
                writes += clients[i].TunWrites;
                writePkts += clients[i].TunPacketsWritten;
            }
            return new ClientCounters(drops, reads, readPkts, writes, writePkts);
        }
    }
}
