using System.Buffers.Binary;
using System.Net;
using Client;
using Gateway.Ppp;
using Gateway.Sessions;
using Gateway.State;
using Gateway.Tests.Infrastructure;
using Gateway.Tunnel;

namespace Gateway.Tests.Sessions;

/// <summary>
/// IPv6 through the whole gateway with real kernels: our client's TUN in one namespace forms its address by SLAAC from
/// the gateway's Router Advertisement (prefix from Tunnel:Ipv6Prefix + the IPv6CP interface identifier) and pings a
/// host behind the gateway over IPv6; a spoofed IPv6 source is dropped.
/// <code>
///  client ns: TUN with prefix::iid/64        gw ns: TUN (route pool -> TUN), veth fd54:K::1/64, forwarding on
///  srv ns:    veth fd54:K::2/64, route pool via fd54:K::1
/// </code>
/// </summary>
public sealed class GatewayIpv6TunnelTests : IAsyncLifetime
{
    private TunnelTopology _topology = null!;
    private GatewayHarness? _gateway;

    private string Pool => $"fd53:5354:{_topology.K:x2}00::/56";

    private string ServerV6 => $"fd54:{_topology.K:x}::2";

    public async Task InitializeAsync()
    {
        Tools.Require("ping", "iputils-ping");
        _topology = new TunnelTopology();
        // No duplicate address detection on the test links: the addresses are usable at once.
        foreach (NetNs ns in new[] { _topology.Gw, _topology.Srv })
        {
            ns.Exec("sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0").EnsureSuccess("accept_dad");
            ns.Exec("sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0").EnsureSuccess("accept_dad");
        }

        _topology.Gw.Link(_topology.Srv, $"fd54:{_topology.K:x}::1/64", $"{ServerV6}/64");
        _topology.Gw.Exec("sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1").EnsureSuccess("ipv6 forwarding");
        _topology.Srv.Exec("ip", "-6", "route", "add", Pool, "via", $"fd54:{_topology.K:x}::1").EnsureSuccess("route to the prefix pool");
        _gateway = await GatewayHarness.StartAsync(_topology.Gw.Name, _topology.Pool, new Dictionary<string, string>
        {
            ["Tunnel:Ipv6Prefix"] = Pool,
            ["Tunnel:Ipv6Dns:0"] = "fd53::53",
        });
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        _topology.Dispose();
    }

    [Fact]
    public async Task The_client_forms_its_address_from_the_RA_and_pings_a_host_behind_the_gateway_over_IPv6()
    {
        NetNs ns = _topology.NewClientNamespace();
        await using SstpTunnelClient client = await SstpTunnelClient.ConnectAsync(new SstpClientSettings
        {
            Host = "127.0.0.1",
            Port = _gateway!.ServiceEndPoint.Port,
            User = GatewayHarness.User,
            Password = GatewayHarness.Password,
            SkipCertificateValidation = true,
            Ppp = new PppClientOptions { Ipv6Enabled = true },
        });
        using TunDevice tun = TunDevice.Create("clt0", 1400, 1, client.Address + "/32", ns.Name);
        client.AttachTun(tun, ns.Name);

        Assert.True(await Poll.UntilAsync(() => client.Ipv6Configured || client.Ipv6ConfigurationError is not null, TimeSpan.FromSeconds(20)),
            "no Router Advertisement formed an address: " + Diagnose(client));
        Assert.Null(client.Ipv6ConfigurationError);
        IPAddress address = client.Ipv6Address!;
        GatewaySession session = _gateway.Get<SessionRegistry>().All.Single(s => s.ClientAddress?.Equals(client.Address) == true);

        // SLAAC: the session's /64 from the pool, and the interface identifier IPv6CP negotiated for the client.
        byte[] bytes = address.GetAddressBytes();
        Assert.Equal(session.Ipv6Prefix!.GetAddressBytes()[..8], bytes[..8]);
        Assert.StartsWith($"fd53:5354:{_topology.K:x2}", address.ToString());
        Assert.NotEqual(0UL, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(8)));
        Assert.Contains($"inet6 {address}/64", ns.Exec("ip", "-6", "addr", "show", "dev", "clt0").StdOut);
        Assert.Contains(Pool, _topology.Gw.Exec("ip", "-6", "route", "show").StdOut);
        Assert.Equal(1, _gateway.Get<PacketRouter>().Ipv6RouteCount);

        // The lease is in the store's prefix pool and the session record carries the prefix.
        IStateStore store = _gateway.Get<IStateStore>();
        IpLease? lease = await store.Ipv6Prefixes!.GetLeaseAsync(address);
        Assert.Equal(session.Id, lease!.SessionId);
        Assert.True(await Poll.UntilAsync(async () => (await store.GetSessionAsync(session.Id))?.InnerIPv6 is not null, TimeSpan.FromSeconds(10)));
        Assert.Equal(session.Ipv6Prefix, (await store.GetSessionAsync(session.Id))!.InnerIPv6);

        // The admin API shows it.
        using (var http = new HttpClient())
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayHarness.AdminKey);
            string json = await http.GetStringAsync($"http://{_gateway.ManagementEndPoint}/api/v1/sessions/{session.Id}");
            Assert.Contains($"\"innerIpv6Prefix\":\"{session.Ipv6Prefix}/64\"", json);
        }

        ns.Exec("ip", "-6", "route", "add", $"fd54:{_topology.K:x}::/64", "dev", tun.Name).EnsureSuccess("route");
        Sh.Result ping = await ns.ExecAsync(TimeSpan.FromSeconds(20), "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", ServerV6);
        Assert.True(ping.ExitCode == 0, ping.StdOut + ping.StdErr);
        Assert.Contains("3 received", ping.StdOut);

        // A Router Solicitation is answered within 0.5 s, or 3 s after the previous advertisement (RFC 4861 6.2.6).
        int sent = session.RouterAdvertisementsSent;
        Assert.True(sent >= 1);
        Assert.True(client.SendRouterSolicitation());
        Assert.True(await Poll.UntilAsync(() => session.RouterAdvertisementsSent > sent, TimeSpan.FromSeconds(10)),
            $"{session.RouterAdvertisementsSent} advertisements");

        // A source from another /64 of the pool, and a link-local source to a global address, never leave the gateway.
        long spoofedBefore = session.DroppedSpoofed;
        long uplinkBefore = session.UplinkPackets;
        UInt128 otherPrefix = (IpPacket.ToUInt128(session.Ipv6Prefix) ^ ((UInt128)1 << 64)) | 5;
        Assert.True(client.Send(Udp6(otherPrefix, IpPacket.ToUInt128(IPAddress.Parse(ServerV6)))));
        Assert.True(client.Send(Udp6(Ipv6RouterDiscovery.LinkLocal(7), IpPacket.ToUInt128(IPAddress.Parse(ServerV6)))));
        Assert.True(await Poll.UntilAsync(() => session.DroppedSpoofed >= spoofedBefore + 2, TimeSpan.FromSeconds(10)));
        Assert.Equal(spoofedBefore + 2, session.DroppedSpoofed);
        Assert.Equal(uplinkBefore, session.UplinkPackets);

        await client.DisconnectAsync();
        Assert.True(await Poll.UntilAsync(async () => (await store.Ipv6Prefixes.GetPoolUsageAsync()).Used == 0, TimeSpan.FromSeconds(15)));
        Assert.Equal(0, _gateway.Get<PacketRouter>().Ipv6RouteCount);
    }

    private string Diagnose(SstpTunnelClient client)
    {
        GatewaySession? s = _gateway!.Get<SessionRegistry>().All.SingleOrDefault();
        return $"session prefix {s?.Ipv6Prefix}, RAs {s?.RouterAdvertisementsSent}, client received {client.ReceivedPackets}, "
            + $"client address {client.Ipv6Address}, v6 routes {_gateway.Get<PacketRouter>().Ipv6RouteCount}, "
            + $"ppp v6 {_gateway.Get<Microsoft.Extensions.Options.IOptions<PppOptions>>().Value.Ipv6Enabled}, store v6 {_gateway.Get<IStateStore>().Ipv6Prefixes?.Prefixes.Spec}";
    }

    private static byte[] Udp6(UInt128 source, UInt128 destination)
    {
        byte[] p = new byte[48 + 8];
        p[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), 16);
        p[6] = IpPacket.ProtocolUdp;
        p[7] = 64;
        BinaryPrimitives.WriteUInt128BigEndian(p.AsSpan(8), source);
        BinaryPrimitives.WriteUInt128BigEndian(p.AsSpan(24), destination);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(40), 40000);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(42), 9);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(44), 16);
        return p;
    }
}
