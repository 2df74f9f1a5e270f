using SstpBench;

namespace SstpBench.Tests;

public class Iperf3Tests
{
    // What `iperf3 -c ... --json` prints (3.x), cut to the fields sstp-bench reads: end.sum_sent is the sending side
    // (its TCP retransmissions), end.sum_received what the receiver counted.
    private const string Upload = """
        {
          "start": { "test_start": { "protocol": "TCP", "num_streams": 1, "duration": 6 } },
          "intervals": [],
          "end": {
            "sum_sent": { "start": 0, "end": 6.000123, "seconds": 6.000123, "bytes": 1234567890,
                          "bits_per_second": 1646090000.5, "retransmits": 4321, "sender": true },
            "sum_received": { "start": 0, "end": 6.041, "seconds": 6.041, "bytes": 1230000000,
                              "bits_per_second": 1628869392.4, "sender": true },
            "cpu_utilization_percent": { "host_total": 35.5, "host_user": 1.2, "host_system": 34.3,
                                         "remote_total": 40.25, "remote_user": 0.5, "remote_system": 39.75 }
          }
        }
        """;

    [Fact]
    public void Parse_reads_the_receivers_rate_and_bytes_and_the_senders_retransmits()
    {
        Iperf3.Result r = Iperf3.Parse(Upload, "");

        Assert.Equal(1.6288693924, r.ReceivedGbps, 9);
        Assert.Equal(1.6460900005, r.SentGbps, 9);
        Assert.Equal(1230000000L, r.ReceivedBytes);
        Assert.Equal(4321L, r.Retransmits);
        Assert.Equal(35.5, r.LocalCpuPct);
        Assert.Equal(40.25, r.RemoteCpuPct);
        Assert.Equal(6.041, r.Seconds);
    }

    [Fact]
    public void Parse_without_retransmits_reports_minus_one()
    {
        string json = Upload.Replace("\"retransmits\": 4321, ", "", StringComparison.Ordinal);

        Assert.Equal(-1L, Iperf3.Parse(json, "").Retransmits);
    }

    [Fact]
    public void Parse_turns_iperf3s_error_and_missing_json_into_messages()
    {
        var busy = Assert.Throws<InvalidOperationException>(() =>
            Iperf3.Parse("""{ "start": {}, "intervals": [], "end": {}, "error": "the server is busy running a test. try again later" }""", ""));
        Assert.Equal("iperf3: the server is busy running a test. try again later", busy.Message);

        var none = Assert.Throws<InvalidOperationException>(() => Iperf3.Parse("", "iperf3: error - unable to connect"));
        Assert.Contains("unable to connect", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sum_adds_what_the_sessions_moved_and_keeps_the_slowest_and_the_fastest()
    {
        Iperf3.Result[] sessions =
        [
            new(0.5, 0.52, 375_000_000, 10, 20, 30, 6.01),
            new(0.75, 0.8, 562_500_000, 200, 25, 31, 6.04),
            new(0.25, 0.3, 187_500_000, 3000, 15, 29, 6.02),
        ];

        Iperf3.Total t = Iperf3.Sum(sessions);

        Assert.Equal(1.5, t.ReceivedGbps, 12);
        Assert.Equal(1.62, t.SentGbps, 12);
        Assert.Equal(1_125_000_000L, t.ReceivedBytes);
        Assert.Equal(3210L, t.Retransmits);
        Assert.Equal(60, t.LocalCpuPct, 12);
        Assert.Equal(0.25, t.MinGbps);
        Assert.Equal(0.75, t.MaxGbps);
        Assert.Equal(6.04, t.Seconds);
        Assert.Equal(3, t.Clients);
    }

    [Fact]
    public void Sum_of_one_session_is_that_sessions_result()
    {
        var one = new Iperf3.Result(1.69, 1.7, 1_267_500_000, 15918, 33, 41, 6.0);

        Iperf3.Total t = Iperf3.Sum([one]);

        Assert.Equal(new Iperf3.Total(1.69, 1.7, 1_267_500_000, 15918, 33, 1.69, 1.69, 6.0, 1), t);
    }

    [Fact]
    public void Sum_reports_retransmits_unknown_when_any_session_did_not_report_them()
    {
        Iperf3.Result[] sessions =
        [
            new(0.5, 0.5, 1, 10, 0, 0, 6),
            new(0.5, 0.5, 1, -1, 0, 0, 6),
            new(0.5, 0.5, 1, 20, 0, 0, 6),
        ];

        Assert.Equal(-1L, Iperf3.Sum(sessions).Retransmits);
    }

    [Fact]
    public void Sum_of_no_sessions_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Iperf3.Sum([]));
    }
}
