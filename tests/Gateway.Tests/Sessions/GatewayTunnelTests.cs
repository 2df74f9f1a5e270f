using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Client;
using Gateway.Sessions;
using Gateway.State;
using Gateway.Tests.Infrastructure;
using Gateway.Tunnel;

namespace Gateway.Tests.Sessions;

/// <summary>
/// The whole gateway with real TUN devices in network namespaces: our client's TUN in one namespace, the gateway's in
/// another, a host behind the gateway in a third. Traffic runs through the kernels, TLS, SSTP and PPP.
/// </summary>
[Collection(nameof(GatewayTunnelCollection))]
public sealed class GatewayTunnelTests(GatewayTunnelFixture fx)
{
    [Fact]
    public async Task Ping_reaches_the_gateway_tunnel_address_and_a_host_behind_it()
    {
        await using var c = await fx.ConnectWithTunAsync();
        Assert.Equal(IPAddress.Parse(fx.Topology.GatewayTunnelAddress), c.Client.GatewayAddress);
        Assert.Equal(IPAddress.Parse("192.0.2.53"), c.Client.PrimaryDns);

        var ping = await c.Ns.ExecAsync(TimeSpan.FromSeconds(20), "ping", "-c", "3", "-i", "0.2", "-W", "2", fx.Topology.GatewayTunnelAddress);
        Assert.True(ping.ExitCode == 0, ping.StdOut + ping.StdErr);
        Assert.Contains("3 received", ping.StdOut);

        var ping2 = await c.Ns.ExecAsync(TimeSpan.FromSeconds(20), "ping", "-c", "3", "-i", "0.2", "-W", "2", fx.Topology.ServerAddress);
        Assert.True(ping2.ExitCode == 0, ping2.StdOut + ping2.StdErr);
        Assert.Contains("3 received", ping2.StdOut);
    }

    [Fact]
    public async Task A_100_MB_TCP_transfer_through_the_tunnel_arrives_intact()
    {
        await using var c = await fx.ConnectWithTunAsync();
        var fetch = await c.Ns.ExecAsync(TimeSpan.FromMinutes(3), "sh", "-c",
            $"curl -sS --max-time 150 http://{fx.Topology.ServerAddress}:{GatewayTunnelFixture.HttpPort}/big.bin | sha256sum");
        Assert.True(fetch.ExitCode == 0, fetch.StdErr);
        Assert.Equal(fx.BigFileSha256, fetch.StdOut.Split(' ')[0]);

        GatewaySession session = fx.Gateway.Get<SessionRegistry>().All.Single(s => s.ClientAddress?.Equals(c.Client.Address) == true);
        Assert.True(session.DownlinkBytes >= GatewayTunnelFixture.BigFileBytes, $"downlink {session.DownlinkBytes}");
    }

    [Fact]
    public async Task TCP_SYNs_leaving_the_tunnel_carry_a_clamped_MSS()
    {
        // The client's TUN has MTU 1500, so its kernel offers MSS 1460; the tunnel MTU is 1400, so 1360 must arrive.
        await using var c = await fx.ConnectWithTunAsync(mtu: 1500);
        string veth = fx.Topology.Srv.Exec("sh", "-c", "ls /sys/class/net | grep '^v'").StdOut.Trim();
        var capture = fx.Topology.Srv.ExecAsync(TimeSpan.FromSeconds(20), "tcpdump", "-i", veth, "-c", "1", "-nn", "-v",
            $"tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0 and dst port {GatewayTunnelFixture.HttpPort}");
        await Task.Delay(1500); // let tcpdump attach
        await c.Ns.ExecAsync(TimeSpan.FromSeconds(20), "curl", "-sS", "-o", "/dev/null", "--max-time", "10",
            $"http://{fx.Topology.ServerAddress}:{GatewayTunnelFixture.HttpPort}/small.bin");
        var result = await capture;
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("mss 1360", result.StdOut);
        Assert.DoesNotContain("mss 1460", result.StdOut);
    }

    [Fact]
    public async Task Packets_with_a_spoofed_source_are_dropped_and_counted()
    {
        await using SstpTunnelClient client = await fx.ConnectAsync();
        GatewaySession session = fx.Gateway.Get<SessionRegistry>().All.Single(s => s.ClientAddress?.Equals(client.Address) == true);
        uint spoofed = BinaryPrimitives.ReadUInt32BigEndian(client.Address!.GetAddressBytes()) + 100;
        byte[] packet = Udp(spoofed, BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(fx.Topology.ServerAddress).GetAddressBytes()));
        for (int i = 0; i < 5; i++)
        {
            Assert.True(client.Send(packet));
        }

        await Poll.UntilAsync(() => session.DroppedSpoofed >= 5, TimeSpan.FromSeconds(10));
        Assert.Equal(5, session.DroppedSpoofed);
        Assert.Equal(0, session.UplinkPackets);
    }

    [Fact]
    public async Task Fifty_concurrent_sessions_get_distinct_addresses_which_are_released_at_the_end()
    {
        var clients = new List<SstpTunnelClient>();
        try
        {
            SstpTunnelClient[] connected = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => fx.ConnectAsync()));
            clients.AddRange(connected);
            Assert.Equal(50, clients.Select(c => c.Address!.ToString()).Distinct().Count());
            Assert.All(clients, c => Assert.StartsWith($"10.214.{fx.Topology.K}.", c.Address!.ToString()));
            Assert.True(fx.Gateway.Get<PacketRouter>().Ipv4RouteCount >= 50);
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisconnectAsync()));
            foreach (SstpTunnelClient c in clients)
            {
                await c.DisposeAsync();
            }
        }

        var store = fx.Gateway.Get<IIpLeaseStore>();
        await Poll.UntilAsync(() => store.GetPoolUsageAsync().Result.Used == 0 && fx.Gateway.Get<SessionRegistry>().Count == 0, TimeSpan.FromSeconds(15));
        Assert.Equal(0, (await store.GetPoolUsageAsync()).Used);
        Assert.Equal(0, fx.Gateway.Get<PacketRouter>().Ipv4RouteCount);
    }

    [Fact]
    public async Task A_plain_HTTPS_request_on_the_SSTP_port_gets_an_HTTP_answer()
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        });
        string baseUrl = $"https://127.0.0.1:{fx.Gateway.ServiceEndPoint.Port}";
        HttpResponseMessage root = await http.GetAsync(baseUrl + "/");
        Assert.Equal(HttpStatusCode.NotFound, root.StatusCode);
        HttpResponseMessage probe = await http.GetAsync(baseUrl + "/sstp-health");
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        HttpResponseMessage admin = await http.GetAsync(baseUrl + "/api/v1/pool");
        Assert.Equal(HttpStatusCode.NotFound, admin.StatusCode);
    }

    [Fact]
    public async Task Metrics_are_served_on_the_management_port_only()
    {
        await using SstpTunnelClient client = await fx.ConnectAsync();
        using var http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        });
        string metrics = await http.GetStringAsync($"http://{fx.Gateway.ManagementEndPoint}/metrics");
        Assert.Contains("gateway_sessions_active", metrics);
        Assert.Contains("gateway_sessions_started", metrics);
        Assert.Contains("gateway_tunnel_", metrics);
        Assert.Contains("kestrel_active_connections", metrics);
        // Kestrel's memory-pool counters are dropped (updated per pipe block; ObservabilityExtensions).
        Assert.DoesNotContain("aspnetcore_memory_pool", metrics);
        HttpResponseMessage onServicePort = await http.GetAsync($"https://127.0.0.1:{fx.Gateway.ServiceEndPoint.Port}/metrics");
        Assert.Equal(HttpStatusCode.NotFound, onServicePort.StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_is_refused()
    {
        var ex = await Assert.ThrowsAsync<SstpClientException>(() => fx.ConnectAsync(password: "wrong password!"));
        Assert.Contains("E=691", ex.Message);
    }

    internal static byte[] Udp(uint source, uint destination)
    {
        byte[] p = new byte[28 + 16];
        p[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
        p[8] = 64;
        p[9] = 17;
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(12), source);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(16), destination);
        IpPacket.WriteIpv4HeaderChecksum(p);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(20), 40000);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(22), 9);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(24), 24);
        return p;
    }
}

[CollectionDefinition(nameof(GatewayTunnelCollection))]
public sealed class GatewayTunnelCollection : ICollectionFixture<GatewayTunnelFixture>;

/// <summary>One gateway and topology shared by the tunnel tests (setting them up costs a few seconds).</summary>
public sealed class GatewayTunnelFixture : IAsyncLifetime
{
    public const int HttpPort = 8080;
    public const int BigFileBytes = 100 * 1024 * 1024;
    private HttpFileServer? _web;

    public TunnelTopology Topology { get; private set; } = null!;

    public GatewayHarness Gateway { get; private set; } = null!;

    public string BigFileSha256 => _web!.Sha256("big.bin");

    public async Task InitializeAsync()
    {
        Tools.Require("curl", "curl");
        Tools.Require("tcpdump", "tcpdump");
        Tools.Require("ping", "iputils-ping");
        Topology = new TunnelTopology();
        _web = await HttpFileServer.StartAsync(Topology.Srv, Topology.ServerAddress, HttpPort, ("small.bin", 1024), ("big.bin", BigFileBytes));
        Gateway = await GatewayHarness.StartAsync(Topology.Gw.Name, Topology.Pool);
    }

    public Task<SstpTunnelClient> ConnectAsync(string? password = null) => SstpTunnelClient.ConnectAsync(new SstpClientSettings
    {
        Host = "127.0.0.1",
        Port = Gateway.ServiceEndPoint.Port,
        User = GatewayHarness.User,
        Password = password ?? GatewayHarness.Password,
        SkipCertificateValidation = true,
    });

    /// <summary>A client whose tunnel is attached to a TUN device in a namespace of its own, routed to the pool and the host.</summary>
    public async Task<ClientWithTun> ConnectWithTunAsync(int mtu = 1400)
    {
        NetNs ns = Topology.NewClientNamespace();
        SstpTunnelClient client = await ConnectAsync();
        TunDevice tun = TunDevice.Create("clt0", mtu, 1, client.Address + "/32", ns.Name);
        ns.Exec("ip", "route", "add", Topology.Pool, "dev", tun.Name).EnsureSuccess("route");
        ns.Exec("ip", "route", "add", $"10.215.{Topology.K}.0/30", "dev", tun.Name).EnsureSuccess("route");
        client.AttachTun(tun);
        return new ClientWithTun(client, tun, ns);
    }

    public async Task DisposeAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        _web?.Dispose();
        Topology?.Dispose();
    }
}

public sealed record ClientWithTun(SstpTunnelClient Client, TunDevice Tun, NetNs Ns) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Client.DisconnectAsync();
        await Client.DisposeAsync();
        Tun.Dispose();
        Ns.Dispose();
    }
}
