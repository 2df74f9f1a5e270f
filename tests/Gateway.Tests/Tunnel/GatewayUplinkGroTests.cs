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
        string file = Path.Combine(Path.GetTempPath(), "gwtest-upload-" + Guid.NewGuid().ToString("N")[..8]);
        byte[] data = RandomNumberGenerator.GetBytes(UploadBytes);
        await File.WriteAllBytesAsync(file, data);
        try
        {
            string server = fx.Topology.ServerAddress;
            var receiver = fx.Topology.Srv.ExecAsync(TimeSpan.FromMinutes(2), "python3", "-c",
                "import socket, hashlib\n" +
                "l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n" +
                $"l.bind(('{server}', {Port})); l.listen(1); l.settimeout(60)\n" +
                "c, _ = l.accept(); c.settimeout(60); h = hashlib.sha256(); n = 0\n" +
                "while True:\n" +
                "    d = c.recv(1 << 20)\n" +
                "    if not d: break\n" +
                "    h.update(d); n += len(d)\n" +
                "print(n, h.hexdigest())\n");
            await Task.Delay(500); // let the listener bind
            long rxBefore = RxPackets(tun.Name);
            var sender = await c.Ns.ExecAsync(TimeSpan.FromMinutes(2), "python3", "-c",
                "import socket, time\n" +
                "for i in range(50):\n" +
                "    try:\n" +
                $"        s = socket.create_connection(('{server}', {Port}), timeout=5); break\n" +
                "    except OSError: time.sleep(0.2)\n" +
                $"s.settimeout(60); s.sendall(open('{file}', 'rb').read()); s.shutdown(socket.SHUT_WR); s.recv(1)\n");
            Assert.True(sender.ExitCode == 0, sender.StdErr);
            var received = await receiver;
            Assert.True(received.ExitCode == 0, received.StdErr);
            string[] result = received.StdOut.Trim().Split(' ');
            Assert.Equal(UploadBytes.ToString(CultureInfo.InvariantCulture), result[0]);
            Assert.Equal(Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant(), result[1]);

            long writes = RxPackets(tun.Name) - rxBefore;
            long segments = UploadBytes / 1348; // MSS 1360 less the timestamp option
            output.WriteLine($"{UploadBytes} bytes, ~{segments} data segments, {writes} TUN writes (RX packets)");
            Assert.True(writes * 2 < segments, $"{writes} TUN writes for ~{segments} segments");
        }
        finally
        {
            File.Delete(file);
        }
    }

    private long RxPackets(string device) => long.Parse(
        fx.Topology.Gw.Exec("cat", $"/sys/class/net/{device}/statistics/rx_packets").StdOut.Trim(), CultureInfo.InvariantCulture);
}
