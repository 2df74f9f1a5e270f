using Xunit.Abstractions;
using static Interop.Tests.GatewayInteropAssert;

namespace Interop.Tests;

/// <summary>
/// The real client with <c>+ipv6</c> against a gateway with a prefix pool (Tunnel:Ipv6Prefix): IPv6CP opens (ppp0
/// gets a link-local address from the negotiated interface identifiers), the guest kernel forms a global address from
/// the gateway's Router Advertisement (its /64 plus the same interface identifier), and IPv4 keeps working.
/// </summary>
public sealed class GatewayIpv6InteropTests(Ipv6Gateway gw, ITestOutputHelper output) : IClassFixture<Ipv6Gateway>
{
    private const string Ipv6PppOptions =
        "require-mschap-v2 noauth nodefaultroute nodeflate nobsdcomp refuse-eap refuse-pap refuse-chap refuse-mschap +ipv6";

    [Fact]
    public async Task IPv6CP_comes_up_ppp0_gets_a_global_address_from_the_RA_and_IPv4_still_works()
    {
        GatewayRun r = await gw.RunAsync(gw.Scenario(GuestStep.Ping(3), GuestStep.Addr6(20), GuestStep.Disconnect) with { PppOptions = Ipv6PppOptions });
        Report(output, gw, r);

        List<GuestResult> connects = Connected(gw, r, 1);
        string linkLocal = connects[0]["addr6"] ?? "";
        Assert.StartsWith("fe80::", linkLocal, StringComparison.Ordinal);
        Assert.True(gw.Log.Contains(": IPv6 up"), Why(gw, r));

        // SLAAC in the guest kernel (RFC 4862 5.5.3): a /64 of the pool plus the interface identifier of the link-local.
        GuestResult global = Assert.Single(r.Run.All("addr6"));
        Assert.True(global.Ok, Why(gw, r));
        var address = System.Net.IPAddress.Parse(global["addr6"]!.Split('/')[0]);
        Assert.Equal("64", global["addr6"]!.Split('/')[1]);
        Assert.StartsWith("fd53:5354:5000:", address.ToString(), StringComparison.Ordinal);
        byte[] iid = System.Net.IPAddress.Parse(linkLocal.Split('/')[0]).GetAddressBytes()[8..];
        Assert.Equal(iid, address.GetAddressBytes()[8..]);
        Pinged(gw, r, 1, 3);
        await DisconnectedAndReleasedAsync(gw, r, 1);
    }
}
