using System.Diagnostics;
using Client;

namespace SstpBench;

/// <summary>
/// `latency`: ICMP echo (ping) to --sink through one session (the probe) every --interval-ms for --duration seconds,
/// once per load in --load (default none,others,self):
/// none: nothing else runs;
/// others: the --sessions-1 other sessions saturate the uplink with --load-size byte UDP datagrams to the sink;
/// self: the probe session itself is saturated: the sink floods its downlink (BLAST to its address, as fast as the
/// sink can send) while it pings, so the echo replies queue behind the flood (the gateway's egress queue and below);
/// tcp: the probe session is attached to a TUN in a client namespace (<see cref="TunSession"/>) and `iperf3 -R`
/// (--streams, port --iperf3-port) downloads through it while it pings. Runs last whatever the order: the TUN stays.
/// Reports RTT p50/p99/max and replies per load, the probe's downlink rate meanwhile and, with --server-metrics URL
/// (the gateway's /metrics), the gateway's egress queue drops.
/// </summary>
internal static class LatencyMode
{
    private const ushort EchoId = 0x5353;
    private const int FloodPort = 9100;

    public static async Task RunAsync(BenchOptions o, Target target, ServerProcess server, Report report)
    {
        int sessions = Math.Max(1, o.GetInt("sessions", 4));
        double duration = o.GetDouble("duration", 5);
        int intervalMs = o.GetInt("interval-ms", 20);
        int loadSize = o.GetInt("load-size", 1400);
        int sinkPort = o.GetInt("sink-port", 9000);
        // Known loads in the given order, tcp last.
        string[] loads = o.Get("load", "none,others,self").Split(',').OrderBy(l => l == "tcp").ToArray();
        var sink = new SinkControl(o.Get("sink-control", SinkMode.DefaultControl));
        var metrics = new ServerMetrics(o.Get("server-metrics"));
        int iperfPort = o.GetInt("iperf3-port", 5201);
        int streams = o.GetInt("streams", 1);
        string? netns = o.Get("netns");
        int mtu = o.GetInt("mtu", 1400);
        List<SstpTunnelClient> clients = await Sessions.OpenAsync(target, sessions, 8, resume: true).ConfigureAwait(false);
        TunSession? tun = null;
        try
        {
            SstpTunnelClient probe = clients[0];
            var sentAt = new long[65536];
            var rtt = new Percentiles();
            long replies = 0;
            probe.PacketReceived = packet =>
            {
                if (IpPackets.IsEchoReply(packet, EchoId, out ushort seq) && sentAt[seq] != 0)
                {
                    rtt.Add(Stopwatch.GetElapsedTime(sentAt[seq]).TotalMilliseconds);
                    sentAt[seq] = 0;
                    Interlocked.Increment(ref replies);
                }
            };
            ushort sequence = 0;
            foreach (string load in loads)
            {
                var others = clients.Skip(1).ToList();
                string label;
                using var stop = new CancellationTokenSource();
                Thread? sender = null;
                Task<Iperf3.Result>? iperf = null;
                switch (load)
                {
                    case "none":
                        label = "none";
                        break;
                    case "others" when others.Count > 0:
                        label = $"{others.Count}x{loadSize}B up";
                        byte[][] templates = ThroughputMode.Templates(others, 41000, target.Sink, sinkPort, loadSize);
                        sender = new Thread(() => ThroughputMode.SendLoop(others, templates, stop.Token)) { IsBackground = true, Name = "bench-load" };
                        sender.Start();
                        await Task.Delay(500).ConfigureAwait(false);
                        break;
                    case "self" when sink.Available:
                        label = $"self: {loadSize}B down flood";
                        // The flood outlasts the pings by the reply wait below (1 s), then stops by itself.
                        sink.Send("RATE 0");
                        sink.Send(FormattableString.Invariant($"BLAST {probe.Address} {FloodPort} {loadSize} {duration + 1.5}"));
                        await Task.Delay(500).ConfigureAwait(false);
                        break;
                    case "tcp":
                        label = $"self: iperf3 -R x{streams}";
                        tun ??= TunSession.Attach(probe, target.Sink, netns, mtu);
                        iperf = Iperf3.RunAsync(tun.Netns, target.Sink, iperfPort, duration + 3, streams, reverse: true);
                        await Task.Delay(1000).ConfigureAwait(false); // past slow start
                        break;
                    default:
                        Console.Error.WriteLine($"latency: load '{load}' skipped (others: needs --sessions 2 or more; self: needs the sink at {sink.Path}; known: none, others, self, tcp)");
                        continue;
                }

                rtt = new Percentiles();
                Interlocked.Exchange(ref replies, 0);
                long rxBytes0 = probe.ReceivedBytes;
                var egress0 = metrics.EgressDrops();
                double cpu0 = server.CpuSeconds();
                Console.Error.WriteLine($"latency: ping {target.Sink} every {intervalMs} ms for {duration} s, load: {label}");
                int sent = 0;
                var sw = Stopwatch.StartNew();
                long lastPrint = 0;
                while (sw.Elapsed.TotalSeconds < duration)
                {
                    sequence++;
                    sentAt[sequence] = Stopwatch.GetTimestamp();
                    probe.Send(IpPackets.EchoRequest(probe.Address!, target.Sink, EchoId, sequence));
                    sent++;
                    await Task.Delay(intervalMs).ConfigureAwait(false);
                    if (sw.ElapsedMilliseconds - lastPrint >= 1000)
                    {
                        lastPrint = sw.ElapsedMilliseconds;
                        Console.Error.WriteLine($"  [{sw.Elapsed.TotalSeconds,5:0.0}s] sent {sent} replies {Interlocked.Read(ref replies)} p50 {rtt.At(50):0.00} ms");
                    }
                }
                double seconds = sw.Elapsed.TotalSeconds;
                long rxBytes = probe.ReceivedBytes - rxBytes0;
                double cpu = server.CpuSeconds() - cpu0;
                await Task.Delay(1000).ConfigureAwait(false);
                stop.Cancel();
                sender?.Join();
                var row = report.Row();
                row["mode"] = "latency";
                row["load"] = label;
                row["pings"] = sent;
                row["replies"] = Interlocked.Read(ref replies);
                row["rtt_p50_ms"] = rtt.At(50);
                row["rtt_p99_ms"] = rtt.At(99);
                row["rtt_max_ms"] = rtt.At(100);
                // What reached the probe session meanwhile (the flood, or the iperf3 download, plus the replies).
                row["probe_down_gbps"] = rxBytes * 8 / seconds / 1e9;
                metrics.Report(row, egress0);
                if (server.Known)
                {
                    row["server_cpu_pct"] = cpu / seconds * 100;
                }
                if (iperf is not null)
                {
                    Iperf3.Result r = await iperf.ConfigureAwait(false);
                    row["iperf3_gbps"] = r.ReceivedGbps;
                    row["retransmits"] = r.Retransmits;
                }
                Array.Clear(sentAt);
                await Task.Delay(1000).ConfigureAwait(false);
            }
        }
        finally
        {
            await Sessions.CloseAsync(clients, 8).ConfigureAwait(false);
            tun?.Dispose();
        }
    }
}
