using System.Diagnostics;
using System.Net;
using Client;

namespace SstpBench;

/// <summary>
/// `throughput`: --sessions S tunnels; for each packet size in --sizes and each direction in --directions
/// (up, down, both) traffic flows for --duration seconds:
/// up: one sender thread puts UDP datagrams to the sink (--sink, port --sink-port) into the sessions' send queues
/// round robin, as fast as the queues accept them; the sink counts what arrives.
/// down: the sink floods UDP datagrams to every session's address; the sessions count what arrives.
/// --rate-pps N paces the offered rate (total over all sessions; the sink paces the downlink the same way) instead of "as fast as the queues take".
/// Reports delivered packets/s and Gbit/s (IP bytes) and, with --server-pid, the server's CPU seconds per GB moved.
/// </summary>
internal static class ThroughputMode
{
    private const int DownPort = 9100;

    public static async Task RunAsync(BenchOptions o, Target target, ServerProcess server, Report report)
    {
        int sessions = o.GetInt("sessions", 4);
        double duration = o.GetDouble("duration", 5);
        int[] sizes = o.GetInts("sizes", "64,512,1400");
        string[] directions = o.Get("directions", "up,down,both").Split(',');
        int sinkPort = o.GetInt("sink-port", 9000);
        double ratePps = o.GetDouble("rate-pps", 0);
        var sink = new SinkControl(o.Get("sink-control", SinkMode.DefaultControl));
        if (!sink.Available)
        {
            throw new InvalidOperationException($"no sink control socket at {sink.Path}: start `sstp-bench sink` behind the server first");
        }

        double warmup = o.GetDouble("warmup", 3);
        List<SstpTunnelClient> clients = await Sessions.OpenAsync(target, sessions, 8, resume: true).ConfigureAwait(false);
        try
        {
            if (warmup > 0)
            {
                await WarmUpAsync(clients, target, sink, sinkPort, sizes[^1], warmup).ConfigureAwait(false);
            }

            foreach (int size in sizes)
            {
                byte[][] templates = Templates(clients, 40000, target.Sink, sinkPort, size);
                foreach (string direction in directions)
                {
                    bool up = direction is "up" or "both";
                    bool down = direction is "down" or "both";
                    Console.Error.WriteLine($"throughput: {clients.Count} sessions, {size} B, {direction}, {duration} s");
                    // Prime: one datagram per session first, so the server and the sink's kernel know every client
                    // (neighbour entries, the peer's MAC table) before the clock starts.
                    for (int i = 0; i < clients.Count; i++)
                    {
                        clients[i].Send(templates[i]);
                    }
                    await Task.Delay(300).ConfigureAwait(false);
                    sink.Send("RESET");
                    (long arrived0, long sockDrops0) = sink.Kernel();
                    long rxPackets0 = clients.Sum(c => c.ReceivedPackets);
                    long rxBytes0 = clients.Sum(c => c.ReceivedBytes);
                    long txPackets0 = clients.Sum(c => c.SentPackets);
                    long drops0 = clients.Sum(c => c.SendDrops);
                    double cpu0 = server.CpuSeconds();
                    var sw = Stopwatch.StartNew();
                    if (down)
                    {
                        // Downlink pacing is the sink's: the same total rate as the uplink's --rate-pps (0 = flood).
                        sink.Send(FormattableString.Invariant($"RATE {ratePps}"));
                        foreach (SstpTunnelClient c in clients)
                        {
                            sink.Send(FormattableString.Invariant($"BLAST {c.Address} {DownPort} {size} {duration}"));
                        }
                    }
                    using var stop = new CancellationTokenSource();
                    Thread? sender = null;
                    if (up)
                    {
                        sender = new Thread(() => SendLoop(clients, templates, stop.Token, ratePps)) { Name = "bench-send", IsBackground = true };
                        sender.Start();
                    }
                    while (sw.Elapsed.TotalSeconds < duration)
                    {
                        await Task.Delay(1000).ConfigureAwait(false);
                        long sinkPackets = sink.Kernel().Arrived - arrived0;
                        Console.Error.WriteLine($"  [{sw.Elapsed.TotalSeconds,5:0.0}s] up sent {clients.Sum(c => c.SentPackets) - txPackets0} " +
                            $"at sink {sinkPackets}; down received {clients.Sum(c => c.ReceivedPackets) - rxPackets0}");
                    }
                    stop.Cancel();
                    sender?.Join();
                    double seconds = sw.Elapsed.TotalSeconds;
                    // Uplink delivery is counted by the sink namespace's kernel, not by the sink process (which tops out
                    // at a few 10k datagrams/s on this box): every datagram the server handed to the kernel counts.
                    long upPackets = sink.Kernel().Arrived - arrived0;
                    long upBytes = upPackets * size;
                    double cpu = server.CpuSeconds() - cpu0;
                    long upSent = clients.Sum(c => c.SentPackets) - txPackets0;
                    long drops = clients.Sum(c => c.SendDrops) - drops0;
                    long downPackets = clients.Sum(c => c.ReceivedPackets) - rxPackets0;
                    long downBytes = clients.Sum(c => c.ReceivedBytes) - rxBytes0;
                    await Task.Delay(1000).ConfigureAwait(false); // let queues drain into the sink
                    (long arrived1, long sockDrops1) = sink.Kernel();
                    long upDelivered = arrived1 - arrived0;
                    long sockDrops = sockDrops1 - sockDrops0;

                    var row = report.Row();
                    row["mode"] = "throughput";
                    row["size"] = size;
                    row["dir"] = direction;
                    row["sessions"] = clients.Count;
                    row["offered_pps"] = ratePps > 0 ? ratePps : double.NaN;
                    row["seconds"] = seconds;
                    row["up_sent_pps"] = up ? upSent / seconds : double.NaN;
                    row["up_pps"] = up ? upPackets / seconds : double.NaN;
                    row["up_gbps"] = up ? upBytes * 8 / seconds / 1e9 : double.NaN;
                    // Sent into the tunnel but never at the sink (counted after a 1 s drain): lost in the server or its TUN/tap.
                    row["up_loss_pct"] = up && upSent > 0 ? Math.Max(0, upSent - upDelivered) * 100.0 / upSent : double.NaN;
                    row["up_queue_drops"] = up ? drops : 0;
                    row["sink_socket_drops"] = sockDrops;
                    row["down_pps"] = down ? downPackets / seconds : double.NaN;
                    row["down_gbps"] = down ? downBytes * 8 / seconds / 1e9 : double.NaN;
                    if (server.Known)
                    {
                        double gb = ((up ? upBytes : 0) + (down ? downBytes : 0)) / 1e9;
                        row["server_cpu_pct"] = cpu / seconds * 100;
                        row["server_cpu_s_per_gb"] = gb > 0 ? cpu / gb : double.NaN;
                    }
                    await Task.Delay(500).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await Sessions.CloseAsync(clients, 8).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Unmeasured traffic both ways for <paramref name="seconds"/> before the first measured run: a server with a JIT
    /// (the gateway's tiered compilation and PGO) then runs its data path as optimized code, as it does after its first
    /// minute in service, instead of in its first-tier code during the first seconds of the measurement.
    /// </summary>
    private static async Task WarmUpAsync(List<SstpTunnelClient> clients, Target target, SinkControl sink, int sinkPort,
        int size, double seconds)
    {
        Console.Error.WriteLine($"throughput: warm-up {seconds} s, {size} B both ways (not measured)");
        byte[][] templates = Templates(clients, 40000, target.Sink, sinkPort, size);
        sink.Send("RATE 0");
        foreach (SstpTunnelClient c in clients)
        {
            sink.Send(FormattableString.Invariant($"BLAST {c.Address} {DownPort} {size} {seconds}"));
        }
        using var stop = new CancellationTokenSource();
        var sender = new Thread(() => SendLoop(clients, templates, stop.Token)) { Name = "bench-warmup", IsBackground = true };
        sender.Start();
        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        stop.Cancel();
        sender.Join();
        await Task.Delay(1000).ConfigureAwait(false); // let the queues drain
    }

    /// <summary>
    /// One UDP datagram of <paramref name="size"/> bytes per session, from its address and port
    /// <paramref name="firstPort"/> + its index, to the sink: what <see cref="SendLoop"/> sends.
    /// </summary>
    internal static byte[][] Templates(IReadOnlyList<SstpTunnelClient> clients, int firstPort, IPAddress sink, int sinkPort,
        int size) =>
        clients.Select((c, i) => IpPackets.UdpPacket(c.Address!, (ushort)(firstPort + i), sink, (ushort)sinkPort, size)).ToArray();

    /// <summary>
    /// Round robin over the sessions, up to 32 packets per session per round, moving on at the first refusal (queue
    /// full). A round in which no queue took anything sleeps a millisecond so the pumps get the CPU.
    /// With <paramref name="ratePps"/> &gt; 0 the total offered rate is paced to it (checked every round).
    /// </summary>
    internal static void SendLoop(IReadOnlyList<SstpTunnelClient> clients, byte[][] templates, CancellationToken ct,
        double ratePps = 0)
    {
        long start = Stopwatch.GetTimestamp();
        long total = 0;
        while (!ct.IsCancellationRequested)
        {
            int perSession = 32;
            if (ratePps > 0)
            {
                long due = (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * ratePps) - total;
                if (due <= 0)
                {
                    Thread.Sleep(1);
                    continue;
                }
                perSession = (int)Math.Clamp(due / clients.Count, 1, 32);
            }
            int sent = 0;
            bool refused = false;
            for (int i = 0; i < clients.Count; i++)
            {
                for (int k = 0; k < perSession; k++)
                {
                    if (!clients[i].Send(templates[i]))
                    {
                        refused = true;
                        break;
                    }
                    sent++;
                }
            }
            total += sent;
            if (sent == 0)
            {
                Thread.Sleep(1);
            }
            else if (refused)
            {
                Thread.Yield();
            }
        }
    }
}
