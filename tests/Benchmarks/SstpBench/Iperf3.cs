using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace SstpBench;

/// <summary>
/// Runs `iperf3 -c` inside a network namespace (`ip netns exec`) against an `iperf3 -s` behind the server, and reads
/// its --json result.
/// </summary>
internal static class Iperf3
{
    /// <summary>
    /// The result of one run. Gbit/s is what the receiving side counted; Retransmits is the sending side's TCP
    /// retransmissions (the client's uplink, the server's with -R).
    /// </summary>
    public sealed record Result(double ReceivedGbps, double SentGbps, long ReceivedBytes, long Retransmits,
        double LocalCpuPct, double RemoteCpuPct, double Seconds);

    public static async Task<Result> RunAsync(string netns, IPAddress server, int port, double seconds, int streams,
        bool reverse, CancellationToken ct = default)
    {
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "netns", "exec", netns, "iperf3", "-c", server.ToString(), "-p", Invariant(port),
                     "-t", Invariant(seconds), "-P", Invariant(streams), "--connect-timeout", "5000", "--json" })
        {
            start.ArgumentList.Add(a);
        }
        if (reverse)
        {
            start.ArgumentList.Add("-R");
        }
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("iperf3 did not start");
        Task<string> stderr = process.StandardError.ReadToEndAsync(ct);
        string stdout;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds + 30));
            try
            {
                stdout = await process.StandardOutput.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"iperf3 to {server}:{port} did not finish in {seconds + 30} s");
            }
        }
        return Parse(stdout, await stderr.ConfigureAwait(false));
    }

    /// <summary>
    /// Several iperf3 clients run together (one per session): the receivers' Gbit/s, bytes, the senders'
    /// retransmissions and the clients' CPU summed, the slowest and the fastest session, and the longest run.
    /// Retransmits is -1 when any client did not report them.
    /// </summary>
    public sealed record Total(double ReceivedGbps, double SentGbps, long ReceivedBytes, long Retransmits,
        double LocalCpuPct, double MinGbps, double MaxGbps, double Seconds, int Clients);

    /// <summary>Sums the results of iperf3 clients that ran at the same time (see <see cref="Total"/>).</summary>
    public static Total Sum(IReadOnlyList<Result> results)
    {
        if (results.Count == 0)
        {
            throw new ArgumentException("no iperf3 results to sum", nameof(results));
        }
        double received = 0, sent = 0, cpu = 0, seconds = 0, min = double.MaxValue, max = 0;
        long bytes = 0, retransmits = 0;
        foreach (Result r in results)
        {
            received += r.ReceivedGbps;
            sent += r.SentGbps;
            bytes += r.ReceivedBytes;
            cpu += r.LocalCpuPct;
            retransmits = retransmits < 0 || r.Retransmits < 0 ? -1 : retransmits + r.Retransmits;
            min = Math.Min(min, r.ReceivedGbps);
            max = Math.Max(max, r.ReceivedGbps);
            seconds = Math.Max(seconds, r.Seconds);
        }
        return new Total(received, sent, bytes, retransmits, cpu, min, max, seconds, results.Count);
    }

    /// <summary>Reads `iperf3 -c --json` output; throws <see cref="InvalidOperationException"/> on an error or no JSON.</summary>
    internal static Result Parse(string json, string stderr)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(json).RootElement;
        }
        catch (JsonException)
        {
            throw new InvalidOperationException($"iperf3 gave no JSON: {stderr.Trim()} {json.Trim()}");
        }
        if (root.TryGetProperty("error", out JsonElement error))
        {
            throw new InvalidOperationException("iperf3: " + error.GetString());
        }
        JsonElement end = root.GetProperty("end");
        JsonElement sent = end.GetProperty("sum_sent");
        JsonElement received = end.GetProperty("sum_received");
        JsonElement cpu = end.GetProperty("cpu_utilization_percent");
        return new Result(
            received.GetProperty("bits_per_second").GetDouble() / 1e9,
            sent.GetProperty("bits_per_second").GetDouble() / 1e9,
            (long)received.GetProperty("bytes").GetDouble(),
            sent.TryGetProperty("retransmits", out JsonElement r) ? r.GetInt64() : -1,
            cpu.GetProperty("host_total").GetDouble(),
            cpu.GetProperty("remote_total").GetDouble(),
            received.GetProperty("seconds").GetDouble());
    }

    private static string Invariant(double v) => v.ToString(CultureInfo.InvariantCulture);
}
