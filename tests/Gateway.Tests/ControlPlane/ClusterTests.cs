using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Client;
using Gateway.Sessions;
using Gateway.State;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.State;

namespace Gateway.Tests.ControlPlane;

/// <summary>
/// Two gateway nodes on one real redis-server (started by the tests): the cluster acts as one service through either
/// node's admin API; draining moves users to the other node with their address; a crashed node's leases come back;
/// a Redis restart does not drop established sessions.
/// </summary>
public sealed class ClusterTests : IAsyncLifetime
{
    private const string Pool = "10.217.0.0/24";
    private RedisServer _redis = null!;
    private NetNs _nsA = null!, _nsB = null!;
    private GatewayHarness _a = null!, _b = null!;
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..8] + ":";

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync(appendOnly: true);
        _nsA = NetNs.Create("cla");
        _nsB = NetNs.Create("clb");
        _a = await GatewayHarness.StartAsync(_nsA.Name, Pool, NodeSettings("node-a"));
        _b = await GatewayHarness.StartAsync(_nsB.Name, Pool, NodeSettings("node-b"));
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _nsA.Dispose();
        _nsB.Dispose();
        _redis.Dispose();
    }

    [Fact]
    public async Task A_session_on_node_A_is_listed_and_disconnected_through_node_B()
    {
        await using SstpTunnelClient client = await Connect(_a);
        using HttpClient api = Api(_b);
        JsonElement session = default;
        await Poll.UntilAsync(() =>
        {
            JsonElement page = api.GetFromJsonAsync<JsonElement>("/api/v1/sessions?user=alice").Result;
            session = page.GetProperty("items").EnumerateArray().FirstOrDefault();
            return session.ValueKind == JsonValueKind.Object;
        }, TimeSpan.FromSeconds(10));

        Assert.Equal("node-a", session.GetProperty("nodeId").GetString());
        Assert.Equal(client.Address!.ToString(), session.GetProperty("innerAddress").GetString());
        Assert.Equal("Established", session.GetProperty("state").GetString());
        string id = session.GetProperty("id").GetString()!;

        HttpResponseMessage delete = await api.DeleteAsync($"/api/v1/sessions/{id}?reason=maintenance");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        Assert.True(await Ended(client), "client still connected after the disconnect through node B");
        Assert.Equal("disconnected by peer", client.CloseReason);
        await Poll.UntilAsync(() => _a.Get<SessionRegistry>().Count == 0, TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/sessions/{id}")).StatusCode);
    }

    [Fact]
    public async Task Draining_A_moves_its_client_to_B_with_the_same_address()
    {
        await using SstpTunnelClient first = await Connect(_a);
        IPAddress address = first.Address!;
        using HttpClient api = Api(_b);

        HttpResponseMessage drain = await api.PostAsJsonAsync("/api/v1/nodes/node-a/drain", new { deadlineSeconds = 2 });
        Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
        Assert.True(await Ended(first), "A did not disconnect its client while draining");

        using var mgmt = new HttpClient { BaseAddress = new Uri($"http://{_a.ManagementEndPoint}") };
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await mgmt.GetAsync("/readyz")).StatusCode);
        var refused = await Assert.ThrowsAsync<SstpClientException>(() => Connect(_a));
        Assert.Equal(503, refused.HttpStatus);

        await using SstpTunnelClient again = await Connect(_b);
        Assert.Equal(address, again.Address);

        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("/api/v1/nodes/node-a/undrain", null)).StatusCode);
        await Poll.UntilAsync(() => mgmt.GetAsync("/readyz").Result.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.OK, (await mgmt.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task A_crashed_nodes_leases_return_to_the_pool_after_its_heartbeat_expires()
    {
        using NetNs ns = NetNs.Create("clc");
        using GatewayProcess c = await GatewayProcess.StartAsync(ns.Name, Pool, NodeSettings("node-c"));
        await using SstpTunnelClient client = await SstpTunnelClient.ConnectAsync(Settings(c.Port));
        var leases = _b.Get<IIpLeaseStore>();
        Assert.Equal("node-c", (await leases.GetLeaseAsync(client.Address!))!.NodeId);

        c.Signal("KILL");
        Assert.True(await c.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        // TTL 3 s, heartbeat 1 s: a live node's sweep returns the lease (lingering for the user) within a few seconds.
        await Poll.UntilAsync(() => leases.GetLeaseAsync(client.Address!).Result?.State == LeaseState.Lingering,
            TimeSpan.FromSeconds(15));
        IpLease? lease = await leases.GetLeaseAsync(client.Address!);
        Assert.Equal(LeaseState.Lingering, lease?.State);
        Assert.DoesNotContain(await _b.Get<INodeRegistry>().ListNodesAsync(), n => n.NodeId == "node-c");
        Assert.Equal(0, (await leases.GetPoolUsageAsync()).Used);
    }

    [Fact]
    public async Task Restarting_Redis_does_not_drop_established_sessions()
    {
        await using SstpTunnelClient client = await Connect(_a);
        _redis.Kill();
        await Task.Delay(3000);
        Assert.Equal(Gateway.Sstp.SstpState.CallConnected, client.State);
        Assert.True(await PingGateway(client), "no echo reply through the tunnel while Redis was down");

        await _redis.StartAgainAsync();
        await Poll.UntilAsync(() => _a.Get<IStoreHealth>().CheckHealthAsync().Result.IsHealthy, TimeSpan.FromSeconds(15));
        Assert.Equal(Gateway.Sstp.SstpState.CallConnected, client.State);
        await using SstpTunnelClient second = await Connect(_a);
        Assert.NotEqual(client.Address, second.Address);
        Assert.True(await PingGateway(client));
    }

    private Dictionary<string, string> NodeSettings(string node) => new()
    {
        ["State:Provider"] = "Redis",
        ["State:Redis:Configuration"] = _redis.Configuration,
        ["State:KeyPrefix"] = _prefix,
        ["State:NodeId"] = node,
        ["State:HeartbeatInterval"] = "00:00:01",
        ["State:NodeTtl"] = "00:00:03",
        ["State:CommandPollInterval"] = "00:00:01",
        ["Admin:ApiKeys:0"] = GatewayHarness.AdminKey,
        ["Credentials:Users:0:Name"] = GatewayHarness.User,
        ["Credentials:Users:0:Password"] = GatewayHarness.Password,
    };

    private static SstpClientSettings Settings(int port) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        User = GatewayHarness.User,
        Password = GatewayHarness.Password,
        SkipCertificateValidation = true,
    };

    private static Task<SstpTunnelClient> Connect(GatewayHarness node) => SstpTunnelClient.ConnectAsync(Settings(node.ServiceEndPoint.Port));

    private static HttpClient Api(GatewayHarness node)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://{node.ManagementEndPoint}") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayHarness.AdminKey);
        return http;
    }

    private static async Task<bool> Ended(SstpTunnelClient client) =>
        await Task.WhenAny(client.Completion, Task.Delay(TimeSpan.FromSeconds(15))) == client.Completion;

    /// <summary>ICMP echo to the gateway's tunnel address (its kernel answers) through the client.</summary>
    private static async Task<bool> PingGateway(SstpTunnelClient client)
    {
        var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.PacketReceived = p =>
        {
            if (p.Length >= 28 && p[9] == 1 && p[20] == 0)
            {
                reply.TrySetResult();
            }
        };
        client.Send(IcmpPackets.EchoRequest(client.Address!, client.GatewayAddress!));
        return await Task.WhenAny(reply.Task, Task.Delay(TimeSpan.FromSeconds(5))) == reply.Task;
    }
}
