using Xunit.Abstractions;
using static Interop.Tests.GatewayInteropAssert;

namespace Interop.Tests;

/// <summary>
/// pppd options for a client that accepts only <paramref name="method"/>: with <c>noauth</c> the <c>require-*</c>
/// option does not bind the client (it is about authenticating the peer); the <c>refuse-*</c> options do.
/// </summary>
internal static class PppOptionSets
{
    public const string Pap = "require-pap noauth nodefaultroute nodeflate nobsdcomp refuse-eap refuse-chap refuse-mschap refuse-mschap-v2 noipv6";
    public const string ChapMd5 = "require-chap noauth nodefaultroute nodeflate nobsdcomp refuse-eap refuse-pap refuse-mschap refuse-mschap-v2 noipv6";
}

/// <summary>The real client with PAP against a gateway configured with Ppp:AuthMethods:0=Pap.</summary>
public sealed class GatewayPapInteropTests(PapGateway gw, ITestOutputHelper output) : IClassFixture<PapGateway>
{
    [Fact]
    public async Task PAP_connects_pings_and_disconnects()
    {
        GatewayRun r = await gw.RunAsync(gw.Scenario(GuestStep.Ping(3), GuestStep.Disconnect) with { PppOptions = PppOptionSets.Pap });
        Report(output, gw, r);

        Connected(gw, r, 1);
        Pinged(gw, r, 1, 3);
        Assert.True(gw.Log.Contains("Pap authentication succeeded for user 'alice'"), Why(gw, r));
        await DisconnectedAndReleasedAsync(gw, r, 1);
    }

    [Fact]
    public async Task PAP_with_a_wrong_password_is_refused()
    {
        GatewayRun r = await gw.RunAsync(gw.Scenario(GuestStep.Disconnect) with { PppOptions = PppOptionSets.Pap, Password = "not the password" });
        Report(output, gw, r);

        Assert.True(r.Run.Completed, Why(gw, r));
        Assert.Equal("auth-failed", r.Run.Find("connect", 0)?.Status);
        Assert.True(gw.Log.Contains("Pap authentication failed for user 'alice'"), Why(gw, r));
        Assert.Equal(0, r.MaxPoolUsed);
        Assert.True(await gw.WaitIdleAsync(TimeSpan.FromSeconds(15)), Why(gw, r));
    }
}

/// <summary>
/// The real client with CHAP-MD5 against a gateway configured with Ppp:AuthMethods:0=ChapMd5, in plugin mode: in
/// direct mode sstpc 1.0.18 never sends CALL_CONNECTED after CHAP-MD5 (its CHAP hook tries to derive MS-CHAPv2 MPPE
/// keys, fails and returns without accepting the call), so the gateway rightly keeps gating IP until the
/// Call-Connected timer. In plugin mode pppd's sstp plugin hands sstpc blank keys after authentication and the call
/// completes with the all-zero HLAK (MS-SSTP 3.2.5.2.4).
/// </summary>
public sealed class GatewayChapMd5InteropTests(ChapMd5Gateway gw, ITestOutputHelper output) : IClassFixture<ChapMd5Gateway>
{
    [Fact]
    public async Task CHAP_MD5_connects_pings_and_disconnects()
    {
        GatewayRun r = await gw.RunAsync(gw.PluginScenario(GuestStep.Ping(3), GuestStep.Disconnect) with { PppOptions = PppOptionSets.ChapMd5 }, maxAttempts: GatewayPeer.PluginAttempts);
        Report(output, gw, r);

        Connected(gw, r, 1);
        Pinged(gw, r, 1, 3);
        Assert.True(gw.Log.Contains("ChapMd5 authentication succeeded for user 'alice'"), Why(gw, r));
        DecidedAtFirstChallenge(gw, r, "ChapMd5");
        await DisconnectedAndReleasedAsync(gw, r, 1, ClientMode.Plugin);
    }

    [Fact]
    public async Task CHAP_MD5_with_a_wrong_password_is_refused()
    {
        GatewayRun r = await gw.RunAsync(gw.PluginScenario(GuestStep.Disconnect) with { PppOptions = PppOptionSets.ChapMd5, Password = "not the password" }, maxAttempts: GatewayPeer.PluginAttempts);
        Report(output, gw, r);

        Assert.True(r.Run.Completed, Why(gw, r));
        Assert.Equal("auth-failed", r.Run.Find("connect", 0)?.Status);
        Assert.True(gw.Log.Contains("ChapMd5 authentication failed for user 'alice'"), Why(gw, r));
        DecidedAtFirstChallenge(gw, r, "ChapMd5");
        Assert.Equal(0, r.MaxPoolUsed);
        Assert.True(await gw.WaitIdleAsync(TimeSpan.FromSeconds(15)), Why(gw, r));
    }
}
