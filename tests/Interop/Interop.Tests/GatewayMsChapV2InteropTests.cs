using Xunit.Abstractions;
using static Interop.Tests.GatewayInteropAssert;

namespace Interop.Tests;

/// <summary>The real Linux client (sstpc 1.0.18 + pppd 2.4.9 in qemu) against the gateway with its default MS-CHAPv2 setup.</summary>
public sealed class GatewayMsChapV2InteropTests(MsChapV2Gateway gw, ITestOutputHelper output) : IClassFixture<MsChapV2Gateway>
{
    [Fact]
    public async Task Direct_mode_connects_pings_fetches_1_MiB_and_disconnects_cleanly()
    {
        GatewayRun r = await gw.RunAsync(gw.Scenario(GuestStep.Ping(5), GuestStep.Fetch(gw.FileUrl, gw.FileMd5), GuestStep.Disconnect));
        Report(output, gw, r);

        Connected(gw, r, 1);
        Pinged(gw, r, 1, 5);
        GuestResult? fetch = r.Run.Find("fetch", 0);
        Assert.True(fetch is { Ok: true }, Why(gw, r));
        Assert.Equal(gw.FileMd5, fetch!["md5"]);
        Assert.Equal(GatewayPeer.FileBytes, fetch.Int("bytes"));
        Assert.InRange(r.MaxSessions, 1, 2); // a connection that hit the flaky exit may overlap the live one
        Assert.Equal(1, r.MaxPoolUsed);
        Assert.True(gw.Log.Contains("MsChapV2 authentication succeeded for user 'alice'"), Why(gw, r));
        DecidedAtFirstChallenge(gw, r, "MsChapV2");

        await DisconnectedAndReleasedAsync(gw, r, 1);
        // pppd's SIGTERM: LCP Terminate-Request (RFC 1661 3.7). sstpc 1.0.18 in direct mode then closes the TLS
        // connection without CALL_DISCONNECT (its SSTP_PPP_DOWN handler has sstp_state_disconnect commented out and
        // only breaks its event loop), so the gateway sees the PPP terminate followed by the connection closing.
        Assert.True(gw.Log.Contains("PPP link terminated: peer sent Terminate-Request"), Why(gw, r));
        // sstpc closes in the same millisecond as the Terminate-Request, before the gateway's LCP leaves Stopping
        // (RFC 1661 4.1: it waits one restart interval after its Terminate-Ack), so the gateway has no call left to
        // send its own CALL_DISCONNECT on: neither side sends one.
        Assert.False(gw.Log.Contains("SSTP CALL_DISCONNECT sent"), Why(gw, r));
        Assert.True(gw.Log.Contains("SSTP session closed: peer closed the connection"), Why(gw, r));
        Assert.False(gw.Log.Contains(" Warning ") || gw.Log.Contains(" Error "), Why(gw, r));
    }

    [Fact]
    public async Task Plugin_mode_crypto_binding_is_verified_with_SHA256_and_a_real_HLAK()
    {
        GatewayRun r = await gw.RunAsync(gw.PluginScenario(GuestStep.Ping(3), GuestStep.Disconnect), maxAttempts: GatewayPeer.PluginAttempts);
        Report(output, gw, r);

        Connected(gw, r, 1);
        Pinged(gw, r, 1, 3);
        Assert.True(gw.Log.Contains("SSTP call connected (crypto binding Sha256 verified)"), Why(gw, r));
        Assert.False(gw.Log.Contains("crypto binding failed"), Why(gw, r));
        DecidedAtFirstChallenge(gw, r, "MsChapV2");
        await DisconnectedAndReleasedAsync(gw, r, 1, ClientMode.Plugin);
    }

    [Fact]
    public async Task Four_sessions_from_one_VM_get_four_distinct_addresses_and_all_ping()
    {
        GatewayRun r = await gw.RunAsync(gw.Scenario(GuestStep.Ping(3), GuestStep.Disconnect) with
        {
            Sessions = 4,
            ConnectTimeout = TimeSpan.FromSeconds(45),
            Timeout = TimeSpan.FromSeconds(180),
        });
        Report(output, gw, r);

        Connected(gw, r, 4);
        Pinged(gw, r, 4, 3);
        Assert.Equal(0, gw.Log.Count("MsChapV2 retransmission")); // see DecidedAtFirstChallenge
        Assert.InRange(r.MaxSessions, 4, 8); // connections that hit the flaky exit are sessions for a moment too
        Assert.Equal(4, r.MaxPoolUsed);
        await DisconnectedAndReleasedAsync(gw, r, 4);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_the_client_reports_an_authentication_failure()
    {
        GatewayRun r = await gw.RunAsync(gw.Scenario(GuestStep.Disconnect) with { Password = "not the password" });
        Report(output, gw, r);

        Assert.True(r.Run.Completed, Why(gw, r));
        Assert.Equal("auth-failed", r.Run.Find("connect", 0)?.Status);
        Assert.True(gw.Log.Contains("MsChapV2 authentication failed for user 'alice'"), Why(gw, r));
        DecidedAtFirstChallenge(gw, r, "MsChapV2");
        Assert.Equal(0, r.MaxPoolUsed);
        Assert.True(await gw.WaitIdleAsync(TimeSpan.FromSeconds(15)), Why(gw, r));
    }
}
