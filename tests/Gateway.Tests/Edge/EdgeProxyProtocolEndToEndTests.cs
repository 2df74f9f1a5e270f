using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Edge;

namespace Gateway.Tests.Edge;

/// <summary>PROXY protocol on the service port, over real sockets.</summary>
public class EdgeProxyProtocolEndToEndTests
{
    private static readonly byte[] SstpHead = Encoding.ASCII.GetBytes(SstpRequestHeadParserTests.WindowsHead);

    private static byte[] V2From(IPEndPoint source) =>
        ProxyProtocolParserTests.V2Header(0x21, 0x11, 12,
            [.. source.Address.GetAddressBytes(), 127, 0, 0, 1, (byte)(source.Port >> 8), (byte)source.Port, 0x01, 0xbb]);

    [Fact]
    public async Task V2FromTrustedProxy_SetsTheRemoteEndPoint()
    {
        await using var host = await EdgeTestHost.StartAsync(new() { ["Edge:ProxyProtocol:TrustedProxies:0"] = "127.0.0.0/8" });
        var client = new IPEndPoint(IPAddress.Parse("203.0.113.7"), 40000);
        var (tcp, tls) = await host.ConnectTlsAsync(beforeTls: V2From(client));
        using (tcp)
        await using (tls)
        {
            await tls.WriteAsync(SstpHead);
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", await EdgeTestHost.ReadHeadAsync(tls));
            SstpConnectionInfo info = await host.Handler.First.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(client, info.RemoteEndPoint);
        }
    }

    [Fact]
    public async Task V1FromTrustedProxy_SetsTheRemoteEndPoint()
    {
        await using var host = await EdgeTestHost.StartAsync(new() { ["Edge:ProxyProtocol:TrustedProxies:0"] = "127.0.0.1" });
        var (tcp, tls) = await host.ConnectTlsAsync(beforeTls: Encoding.ASCII.GetBytes("PROXY TCP6 2001:db8::7 2001:db8::1 51000 443\r\n"));
        using (tcp)
        await using (tls)
        {
            await tls.WriteAsync(SstpHead);
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", await EdgeTestHost.ReadHeadAsync(tls));
            SstpConnectionInfo info = await host.Handler.First.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 51000), info.RemoteEndPoint);
        }
    }

    [Fact]
    public async Task HeaderFromUntrustedPeer_IsRefused_PlainTlsStillWorks()
    {
        await using var host = await EdgeTestHost.StartAsync(new() { ["Edge:ProxyProtocol:TrustedProxies:0"] = "10.0.0.0/8" });
        using (var tcp = new TcpClient(AddressFamily.InterNetwork))
        {
            await tcp.ConnectAsync(host.Service);
            NetworkStream stream = tcp.GetStream();
            await stream.WriteAsync(V2From(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 40000)));
            await stream.WriteAsync(TlsClientHello.Build(TlsClientHello.Tls12, TlsClientHello.AeadSuites));
            Assert.Empty(await EdgeTestHost.ReadToEndAsync(stream)); // closed without a TLS answer
        }

        var (tcp2, tls) = await host.ConnectTlsAsync();
        using (tcp2)
        await using (tls)
        {
            await tls.WriteAsync(SstpHead);
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", await EdgeTestHost.ReadHeadAsync(tls));
            SstpConnectionInfo info = await host.Handler.First.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(tcp2.Client.LocalEndPoint, info.RemoteEndPoint);
        }
    }

    [Theory]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n")] // malformed
    [InlineData("\u0016\u0003\u0001\u0000")]            // a trusted proxy must send the header (TLS directly is refused)
    public async Task TrustedPeer_WithoutAValidHeader_IsRefused(string start)
    {
        await using var host = await EdgeTestHost.StartAsync(new() { ["Edge:ProxyProtocol:TrustedProxies:0"] = "127.0.0.1/32" });
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(host.Service);
        NetworkStream stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(start));
        Assert.Empty(await EdgeTestHost.ReadToEndAsync(stream));
    }

    [Fact]
    public async Task TrustedPeer_OversizedHeader_IsRefused()
    {
        await using var host = await EdgeTestHost.StartAsync(new()
        {
            ["Edge:ProxyProtocol:TrustedProxies:0"] = "127.0.0.1/32",
            ["Edge:ProxyProtocol:MaxHeaderBytes"] = "64",
        });
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(host.Service);
        NetworkStream stream = tcp.GetStream();
        await stream.WriteAsync(ProxyProtocolParserTests.V2Header(0x21, 0x11, 200, new byte[100])); // announces 216 bytes
        Assert.Empty(await EdgeTestHost.ReadToEndAsync(stream));
    }
}
