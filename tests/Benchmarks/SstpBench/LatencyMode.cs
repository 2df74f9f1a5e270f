using System.Diagnostics;
using Client;

namespace SstpBench;

/// <summary>
/// `latency`: ICMP echo (ping) to --sink through one session every --interval-ms, first with the tunnel otherwise idle,
/// then while --sessions-1 other sessions saturate the uplink with --load-size byte UDP datagrams to the sink. Reports
/// RTT p50/p99 and loss for both phases, each --duration seconds.
/// </summary>
internal static class LatencyMode
{
    private const ushort EchoId = 0x5353;

    public static async Task RunAsync(BenchOptions o, Target target, ServerProcess server, Report report)
    {
        int sessions = Math.Max(1, o.GetInt("sessions", 4));
        double duration = o.GetDouble("duration", 5);
        int intervalMs = o.GetInt("interval-ms", 20);
        int loadSize = o.GetInt("load-size", 1400);
        int sinkPort = o.GetInt("sink-port", 9000);
        List<SstpTunnelClient> clients = await Sessions.OpenAsync(target, sessions, 8, resume: true).ConfigureAwait(false);
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
            foreach (bool loaded in new[] { false, true })
            {
                if (loaded && clients.Count < 2)
                {
                    break;
                }
                rtt = new Percentiles();
                Interlocked.Exchange(ref replies, 0);
                var others = clients.Skip(1).ToList();
                byte[][] templates = others.Select((c, i) =>
                    IpPackets.UdpPacket(c.Address!, (ushort)(41000 + i), target.Sink, (ushort)sinkPort, loadSize)).ToArray();
                using var stop = new CancellationTokenSource();
                Thread? load = null;
                if (loaded)
                {
                    load = new Thread(() => ThroughputMode.SendLoop(others, templates, stop.Token)) { IsBackground = true, Name = "bench-load" };
                    load.Start();
                    await Task.Delay(500).ConfigureAwait(false);
                }
                Console.Error.WriteLine($"latency: ping {target.Sink} every {intervalMs} ms for {duration} s, " +
                    (loaded ? $"{others.Count} sessions sending {loadSize} B" : "no load"));
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
                await Task.Delay(1000).ConfigureAwait(false);
                stop.Cancel();
                load?.Join();
                var row = report.Row();
                row["mode"] = "latency";
                row["load"] = loaded ? $"{others.Count}x{loadSize}B up" : "none";
                row["pings"] = sent;
                row["replies"] = Interlocked.Read(ref replies);
                row["rtt_p50_ms"] = rtt.At(50);
                row["rtt_p99_ms"] = rtt.At(99);
                row["rtt_max_ms"] = rtt.At(100);
                Array.Clear(sentAt);
            }
        }
        finally
        {
            await Sessions.CloseAsync(clients, 8).ConfigureAwait(false);
        }
        _ = server;
    }
}
