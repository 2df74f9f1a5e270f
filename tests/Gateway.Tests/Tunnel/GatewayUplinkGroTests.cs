using System.Globalization;
using System.Security.Cryptography;
using Gateway.Sessions;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Sessions;
using Gateway.Tunnel;
using Xunit.Abstractions;

namespace Gateway.Tests.Tunnel;

/// <summary>
/// Uplink GRO through the whole gateway (shares the <see cref="GatewayTunnelFixture"/> topology): a TCP upload from the
/// client's namespace to the host behind the gateway arrives intact, and the gateway's TUN device took far fewer
/// writes than there were segments (the kernel counts one RX packet per write, a super-packet included).
/// </summary>
[Collection(nameof(GatewayTunnelCollection))]
public sealed class GatewayUplinkGroTests(GatewayTunnelFixture fx, ITestOutputHelper output)
{
    private const int Port = 8091;
    private const int UploadBytes = 30 * 1024 * 1024;

    [Fact]
    public async Task A_30_MB_TCP_upload_arrives_intact_in_fewer_TUN_writes_than_segments()
    {
        var tun = (TunDevice)fx.Gateway.Get<ITunDevice>();
        Assert.NotEqual(TunOffloads.None, tun.Offloads);
        await using var c = await fx.ConnectWithTunAsync();
        byte[] data = RandomNumberGenerator.GetBytes(UploadBytes);
        long rxBefore = 0;
        (long bytes, string sha256) = await TcpUpload.RunAsync(c.Ns, fx.Topology.Srv, fx.Topology.ServerAddress, Port, data,
            started: () => rxBefore = RxPackets(tun.Name));
        Assert.Equal(UploadBytes, bytes);
        Assert.Equal(TcpUpload.Sha256(data), sha256);

        long writes = RxPackets(tun.Name) - rxBefore;
        long segments = UploadBytes / 1348; // MSS 1360 less the timestamp option
        output.WriteLine($"{UploadBytes} bytes, ~{segments} data segments, {writes} TUN writes (RX packets)");
        Assert.True(writes * 2 < segments, $"{writes} TUN writes for ~{segments} segments");
    }

    private long RxPackets(string device) => long.Parse(
        fx.Topology.Gw.Exec("cat", $"/sys/class/net/{device}/statistics/rx_packets").StdOut.Trim(), CultureInfo.InvariantCulture);
}
