using Xunit.Abstractions;

namespace Interop.Tests;

/// <summary>Assertions and reporting shared by the gateway interop tests.</summary>
internal static class GatewayInteropAssert
{
    /// <summary>Writes the guest results, client logs and the gateway's captured log lines to the test output.</summary>
    public static void Report(ITestOutputHelper output, GatewayPeer gw, GatewayRun r)
    {
        output.WriteLine($"INTEROP-RETRIES guestFlaky={r.Run.GuestRetries - r.Run.GuestHangRetries} guestHang={r.Run.GuestHangRetries} vmFlaky={r.VmFlakyRetries} vmConnectTimeout={r.VmTimeoutRetries}");
        foreach (string retried in gw.RetriedRuns)
        {
            output.WriteLine("--- repeated run ---\n" + retried);
        }

        output.WriteLine(r.ToString());
        output.WriteLine("--- gateway log ---");
        output.WriteLine(gw.Log.ToString());
    }

    /// <summary>Details for a failed assertion: the guest's view and the gateway's log.</summary>
    public static string Why(GatewayPeer gw, GatewayRun r) => r + "\n--- gateway log ---\n" + gw.Log;

    /// <summary>Every unit connected with a pool address, the gateway's tunnel address as PPP peer, and distinct addresses.</summary>
    public static List<GuestResult> Connected(GatewayPeer gw, GatewayRun r, int sessions)
    {
        Assert.True(r.Run.Completed, Why(gw, r));
        var connects = r.Run.All("connect").ToList();
        Assert.True(connects.Count == sessions && connects.All(c => c.Ok), Why(gw, r));
        foreach (GuestResult c in connects)
        {
            Assert.StartsWith($"10.214.{gw.Topology.K}.", c["addr"], StringComparison.Ordinal);
            Assert.Equal(gw.Topology.GatewayTunnelAddress, c["peer"]);
            Assert.True(gw.Log.Contains($"client address {c["addr"]}"), Why(gw, r));
        }

        Assert.Equal(sessions, connects.Select(c => c["addr"]).Distinct().Count());
        return connects;
    }

    /// <summary>
    /// A CHAP-family login (CHAP-MD5, MS-CHAPv2) was decided on the gateway's first Challenge: no retransmission, and
    /// well under the 3 s restart timer from LCP opened (RFC 1994 4.1). Before the pump put the last packet of a burst
    /// in a TLS record of its own, sstpc 1.0.18 left the Challenge (written with the LCP Configure-Ack) in its TLS
    /// buffer until the retransmission 3 s later (SessionOptions.SeparateTailRecord).
    /// </summary>
    public static void DecidedAtFirstChallenge(GatewayPeer gw, GatewayRun r, string method)
    {
        Assert.False(gw.Log.Contains($"{method} retransmission"), Why(gw, r));
        TimeSpan? took = gw.Log.Between("]: LCP opened", $"{method} authentication ");
        Assert.True(took is not null, Why(gw, r));
        Assert.True(took < TimeSpan.FromSeconds(1.5), $"LCP opened -> {method} decision took {took!.Value.TotalMilliseconds} ms\n" + Why(gw, r));
    }

    /// <summary>Every unit's pings to the gateway's tunnel address came back.</summary>
    public static void Pinged(GatewayPeer gw, GatewayRun r, int sessions, int count)
    {
        var pings = r.Run.All("ping").ToList();
        Assert.True(pings.Count == sessions && pings.All(p => p.Ok), Why(gw, r));
        Assert.All(pings, p => Assert.Equal(gw.Topology.GatewayTunnelAddress, p["target"]));
        Assert.All(pings, p => Assert.Equal(count, p.Int("recv")));
    }

    /// <summary>
    /// Every unit disconnected (pppd: "Connection terminated"), and the gateway ended every session it started and got
    /// every address back, logging nothing above Information. In direct mode pppd's LCP Terminate-Request reaches
    /// the gateway and sstpc exits 0; in plugin mode pppd hangs up its pty child (sstpc) on SIGTERM, usually before
    /// the Terminate-Request is through, and exits 16 ("modem hangup"), so the gateway sees the connection close.
    /// </summary>
    public static async Task DisconnectedAndReleasedAsync(GatewayPeer gw, GatewayRun r, int sessions, ClientMode mode = ClientMode.Direct)
    {
        var disconnects = r.Run.All("disconnect").ToList();
        Assert.True(disconnects.Count == sessions && disconnects.All(d => d.Ok && d["terminated"] == "yes"), Why(gw, r));
        // The gateway's side of the ending is only complete once it is idle: the WanLink delays what the client
        // sent last by 25 ms, and the VM can be gone before the gateway has logged it.
        Assert.True(await gw.WaitIdleAsync(TimeSpan.FromSeconds(15)), Why(gw, r));
        if (mode == ClientMode.Direct)
        {
            Assert.True(disconnects.All(d => d["rc"] == "0"), Why(gw, r));
            Assert.Equal(sessions, gw.Log.Count("[3009]: PPP link terminated: peer sent Terminate-Request"));
        }

        Assert.Equal(0, gw.SessionCount);
        Assert.Equal(0, (await gw.PoolUsageAsync()).Used);
        Assert.Equal(sessions, gw.Log.Count(": network up, client address "));
        Assert.Equal(gw.Log.Count(" started from "), gw.Log.Count(" ended: "));
        Assert.False(gw.Log.Contains(" Warning ") || gw.Log.Contains(" Error ") || gw.Log.Contains(" Critical "), Why(gw, r));
    }
}
