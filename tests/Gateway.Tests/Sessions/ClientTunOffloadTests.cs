using System.Security.Cryptography;
using Client;
using Gateway.Tests.Infrastructure;
using Gateway.Tunnel;
using Xunit.Abstractions;

namespace Gateway.Tests.Sessions;

/// <summary>
/// The client's TUN device with offloads (<see cref="SstpTunnelClient.OpenTun"/>, on by default): real TCP transfers
/// through the whole gateway (shares the <see cref="GatewayTunnelFixture"/> topology) arrive intact both ways, and the
/// client's TUN took super-packets: far fewer reads than uplink segments, far fewer writes than downlink packets.
/// </summary>
[Collection(nameof(GatewayTunnelCollection))]
public sealed class ClientTunOffloadTests(GatewayTunnelFixture fx, ITestOutputHelper output)
{
    private const int Port = 8092;
    private const int UploadBytes = 30 * 1024 * 1024;

    [Fact]
    public async Task The_TUN_MTU_is_clamped_to_the_server_MRU_and_the_device_has_offloads()
    {
        // The gateway's PPP MRU is 1400 (PppOptions.Mru), so a 1500-byte request must give a 1400-byte link.
        await using ClientWithTun c = await ConnectAsync(mtu: 1500);
        Assert.Equal(1400, c.Client.PeerMru);
        Assert.Equal(1400, c.Tun.Mtu);
        Assert.Equal("1400", c.Ns.Exec("cat", $"/sys/class/net/{c.Tun.Name}/mtu").StdOut.Trim());
        Assert.True(c.Tun.Offloads.HasFlag(TunOffloads.Tso4), c.Tun.Offloads.ToString());
    }

    [Fact]
    public async Task Without_TunOffload_the_device_is_plain_and_a_download_still_arrives()
    {
        await using ClientWithTun c = await ConnectAsync(offload: false);
        Assert.Equal(TunOffloads.None, c.Tun.Offloads);
        var fetch = await c.Ns.ExecAsync(TimeSpan.FromMinutes(1), "sh", "-c",
            $"curl -sS --max-time 50 http://{fx.Topology.ServerAddress}:{GatewayTunnelFixture.HttpPort}/small.bin | wc -c");
        Assert.True(fetch.ExitCode == 0, fetch.StdErr);
        Assert.Equal("1024", fetch.StdOut.Trim());
        Assert.Equal(c.Client.TunPacketsWritten, c.Client.TunWrites);
    }

    [Fact]
    public async Task A_100_MB_download_arrives_intact_in_fewer_TUN_writes_than_packets()
    {
        await using ClientWithTun c = await ConnectAsync();
        long writes0 = c.Client.TunWrites, packets0 = c.Client.TunPacketsWritten;
        var fetch = await c.Ns.ExecAsync(TimeSpan.FromMinutes(3), "sh", "-c",
            $"curl -sS --max-time 150 http://{fx.Topology.ServerAddress}:{GatewayTunnelFixture.HttpPort}/big.bin | sha256sum");
        Assert.True(fetch.ExitCode == 0, fetch.StdErr);
        Assert.Equal(fx.BigFileSha256, fetch.StdOut.Split(' ')[0]);

        long writes = c.Client.TunWrites - writes0, packets = c.Client.TunPacketsWritten - packets0;
        output.WriteLine($"{GatewayTunnelFixture.BigFileBytes} bytes down: {packets} packets in {writes} TUN writes");
        Assert.True(packets >= GatewayTunnelFixture.BigFileBytes / 1400, $"{packets} packets");
        Assert.True(writes * 4 < packets, $"{writes} TUN writes for {packets} packets");
    }

    [Fact]
    public async Task A_30_MB_upload_arrives_intact_from_fewer_TUN_reads_than_segments()
    {
        await using ClientWithTun c = await ConnectAsync();
        byte[] data = RandomNumberGenerator.GetBytes(UploadBytes);
        long reads0 = 0, packets0 = 0, super0 = 0;
        (long bytes, string sha256) = await TcpUpload.RunAsync(c.Ns, fx.Topology.Srv, fx.Topology.ServerAddress, Port, data,
            started: () => (reads0, packets0, super0) = (c.Tun.Reads, c.Tun.PacketsDelivered, c.Tun.SuperPackets));
        Assert.Equal(UploadBytes, bytes);
        Assert.Equal(TcpUpload.Sha256(data), sha256);

        long reads = c.Tun.Reads - reads0, packets = c.Tun.PacketsDelivered - packets0, super = c.Tun.SuperPackets - super0;
        output.WriteLine($"{UploadBytes} bytes up: {packets} packets from {reads} TUN reads ({super} super-packets)");
        Assert.Equal(0, c.Tun.MalformedReads);
        Assert.True(packets >= UploadBytes / 1400, $"{packets} packets");
        Assert.True(super > 0, "no super-packet was read");
        Assert.True(reads * 4 < packets, $"{reads} TUN reads for {packets} packets");
    }

    /// <summary>A client whose TUN device it opened itself (<see cref="SstpTunnelClient.OpenTun"/>), in a namespace of its
    /// own, routed to the pool and the host behind the gateway.</summary>
    private async Task<ClientWithTun> ConnectAsync(int mtu = 1400, bool offload = true)
    {
        NetNs ns = fx.Topology.NewClientNamespace();
        SstpTunnelClient? client = null;
        TunDevice? tun = null;
        try
        {
            client = await SstpTunnelClient.ConnectAsync(new SstpClientSettings
            {
                Host = "127.0.0.1",
                Port = fx.Gateway.ServiceEndPoint.Port,
                User = GatewayHarness.User,
                Password = GatewayHarness.Password,
                SkipCertificateValidation = true,
                TunOffload = offload,
            });
            tun = client.OpenTun("clt0", mtu, ns.Name);
            ns.Exec("ip", "route", "add", fx.Topology.Pool, "dev", tun.Name).EnsureSuccess("route");
            ns.Exec("ip", "route", "add", $"10.215.{fx.Topology.K}.0/30", "dev", tun.Name).EnsureSuccess("route");
            return new ClientWithTun(client, tun, ns);
        }
        catch
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }

            tun?.Dispose();
            ns.Dispose();
            throw;
        }
    }
}
