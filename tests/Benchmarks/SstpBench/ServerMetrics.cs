using System.Globalization;

namespace SstpBench;

/// <summary>
/// The gateway's Prometheus scrape (--server-metrics URL, its management port's /metrics): the egress queue drops,
/// i.e. `gateway_tunnel_dropped` with reason queue_full or queue_delay (tail drop and CoDel), summed over all
/// sessions. Absent (NaN) when no URL was given or the scrape failed (e.g. the SoftEther peer).
/// </summary>
internal sealed class ServerMetrics(string? url)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Egress drops so far: tail drops at the full queue, and CoDel drops (sojourn time above target).</summary>
    public (double Full, double Delay) EgressDrops()
    {
        if (url is null)
        {
            return (double.NaN, double.NaN);
        }
        try
        {
            double full = 0, delay = 0;
            foreach (string line in Http.GetStringAsync(url).GetAwaiter().GetResult().Split('\n'))
            {
                if (!line.StartsWith("gateway_tunnel_dropped", StringComparison.Ordinal))
                {
                    continue;
                }
                // name{labels} value [timestamp]
                double value = double.Parse(line[(line.IndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                if (line.Contains("reason=\"queue_full\"", StringComparison.Ordinal))
                {
                    full += value;
                }
                else if (line.Contains("reason=\"queue_delay\"", StringComparison.Ordinal))
                {
                    delay += value;
                }
            }
            return (full, delay);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or FormatException)
        {
            Console.Error.WriteLine($"  server metrics {url}: {ex.Message}");
            return (double.NaN, double.NaN);
        }
    }

    /// <summary>Adds the drops since <paramref name="before"/> to a result row: total and the CoDel part.</summary>
    public void Report(Dictionary<string, object?> row, (double Full, double Delay) before)
    {
        (double full, double delay) = EgressDrops();
        row["server_egress_drops"] = full + delay - before.Full - before.Delay;
        row["server_codel_drops"] = delay - before.Delay;
    }
}
