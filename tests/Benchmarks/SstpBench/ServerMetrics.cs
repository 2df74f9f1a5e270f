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

    public double EgressDrops()
    {
        if (url is null)
        {
            return double.NaN;
        }
        try
        {
            double total = 0;
            foreach (string line in Http.GetStringAsync(url).GetAwaiter().GetResult().Split('\n'))
            {
                if (line.StartsWith("gateway_tunnel_dropped", StringComparison.Ordinal)
                    && (line.Contains("reason=\"queue_full\"", StringComparison.Ordinal) || line.Contains("reason=\"queue_delay\"", StringComparison.Ordinal)))
                {
                    // name{labels} value [timestamp]
                    string value = line[(line.IndexOf('}') + 1)..].Trim().Split(' ')[0];
                    total += double.Parse(value, CultureInfo.InvariantCulture);
                }
            }
            return total;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or FormatException)
        {
            Console.Error.WriteLine($"  server metrics {url}: {ex.Message}");
            return double.NaN;
        }
    }
}
