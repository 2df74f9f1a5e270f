using Xunit.Abstractions;
using static Interop.Tests.GatewayInteropAssert;

namespace Interop.Tests;

/// <summary>
/// The real client with <c>+ipv6</c> against a gateway with Ppp:Ipv6Enabled=true. What holds today: IPv6CP opens
/// (ppp0 gets a link-local address from the negotiated interface identifiers) and IPv4 keeps working. The gateway
/// has no IPv6 data plane yet (no routes, no router advertisements), so no global address and no IPv6 traffic.
/// </summary>
public sealed class GatewayIpv6InteropTests(Ipv6Gateway gw, ITestOutputHelper output) : IClassFixture<Ipv6Gateway>
{
    private const string Ipv6PppOptions =
        "require-mschap-v2 noauth nodefaultroute nodeflate nobsdcomp refuse-eap refuse-pap refuse-chap refuse-mschap +ipv6";

    [Fact]
    public async Task IPv6CP_comes_up_with_a_link_local_address_and_IPv4_still_works()
    {
        GatewayRun r = await gw.RunAsync(gw.Scenario(GuestStep.Ping(3), GuestStep.Disconnect) with { PppOptions = Ipv6PppOptions });
        Report(output, gw, r);

        List<GuestResult> connects = Connected(gw, r, 1);
        Assert.StartsWith("fe80::", connects[0]["addr6"] ?? "", StringComparison.Ordinal);
        Assert.True(gw.Log.Contains(": IPv6 up"), Why(gw, r));
        Pinged(gw, r, 1, 3);
        await DisconnectedAndReleasedAsync(gw, r, 1);
    }
}
