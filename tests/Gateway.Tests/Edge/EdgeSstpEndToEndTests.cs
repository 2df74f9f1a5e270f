using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Gateway.Edge;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Edge;

/// <summary>The edge over real sockets: SSTP takeover, HTTP pass-through, rejections, draining, health.</summary>
public class EdgeSstpEndToEndTests
{
    private static readonly byte[] SstpHead = Encoding.ASCII.GetBytes(SstpRequestHeadParserTests.WindowsHead);

    // SSTP Call Connect Request (MS-SSTP 4.7 image), sent in the same write as the head.
    private static readonly byte[] FirstSstpPacket = [0x10, 0x01, 0x00, 0x0e, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x06, 0x00, 0x01];

    [Fact]
    public async Task SstpPost_Gets200Head_HandlerSeesTheFollowingBytesFirst_AndTheServedCertificateHashes()
    {
        await using var host = await EdgeTestHost.StartAsync();
        var (tcp, tls) = await host.ConnectTlsAsync();
        using (tcp)
        await using (tls)
        {
            await tls.WriteAsync((byte[])[.. SstpHead, .. FirstSstpPacket]);
            string head = await EdgeTestHost.ReadHeadAsync(tls);
            Assert.Matches(new Regex(
                "^HTTP/1\\.1 200 OK\r\nContent-Length: 18446744073709551615\r\nServer: Microsoft-HTTPAPI/2\\.0\r\n" +
                "Date: [A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n\r\n$"), head);

            // The echo handler returns bytes in order: the first ones must be those sent right after the head.
            Assert.Equal(FirstSstpPacket, await EdgeTestHost.ReadExactlyAsync(tls, FirstSstpPacket.Length));
            await tls.WriteAsync(new byte[] { 0xAA, 0xBB });
            Assert.Equal(new byte[] { 0xAA, 0xBB }, await EdgeTestHost.ReadExactlyAsync(tls, 2));

            SstpConnectionInfo info = await host.Handler.First.Task.WaitAsync(TimeSpan.FromSeconds(10));
            byte[] der = tls.RemoteCertificate!.GetRawCertData();
            Assert.Equal(SHA256.HashData(der), info.CertificateHashSha256);
            Assert.Equal(SHA1.HashData(der), info.CertificateHashSha1);
            Assert.Equal("{62DFA5C0-E2E0-FD50-D286B00}", info.CorrelationId);
            Assert.Equal(tcp.Client.LocalEndPoint, info.RemoteEndPoint);
            Assert.Equal(tls.SslProtocol.ToString(), info.TlsProtocol);
            // The handler got the SslStream and echoed straight to it: the 200 written through the pipe came first.
            Assert.True(Assert.Single(host.Handler.HadTlsStream));
        }
    }

    [Fact]
    public async Task HandlerReturn_ClosesTheConnection()
    {
        await using var host = await EdgeTestHost.StartAsync();
        var (tcp, tls) = await host.ConnectTlsAsync();
        using (tcp)
        await using (tls)
        {
            await tls.WriteAsync(SstpHead);
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", await EdgeTestHost.ReadHeadAsync(tls));
            tcp.Client.Shutdown(SocketShutdown.Send); // the echo handler returns when its input completes
            Assert.Empty(await EdgeTestHost.ReadToEndAsync(tls));
        }
    }

    [Fact]
    public async Task HttpOnTheServicePort_GoesToTheHttpPipeline()
    {
        await using var host = await EdgeTestHost.StartAsync();
        using HttpClient client = EdgeTestHost.HttpsClient(host.Service);

        HttpResponseMessage root = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.NotFound, root.StatusCode);

        HttpResponseMessage probe = await client.GetAsync("/sstp-health");
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal("ok\n", await probe.Content.ReadAsStringAsync());

        // Management endpoints are not reachable on the service port.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task ManagementPort_ServesHealthAndReadiness()
    {
        await using var host = await EdgeTestHost.StartAsync();
        using HttpClient client = EdgeTestHost.HttpClient(host.Management);
        HttpResponseMessage health = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("alive\n", await health.Content.ReadAsStringAsync());
        HttpResponseMessage ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready\n", await ready.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/2.0\r\nHost: h\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n")]
    [InlineData("SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\nbroken header\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n")]
    [InlineData("SSTP_DUPLEX_POST /index.html HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 404 Not Found\r\n")]
    public async Task BadSstpHeads_GetAnErrorAndAClose(string request, string expectedStatusLine)
    {
        await using var host = await EdgeTestHost.StartAsync();
        var (tcp, tls) = await host.ConnectTlsAsync();
        using (tcp)
        await using (tls)
        {
            await tls.WriteAsync(Encoding.ASCII.GetBytes(request));
            string response = Encoding.ASCII.GetString(await EdgeTestHost.ReadToEndAsync(tls));
            Assert.StartsWith(expectedStatusLine, response);
            Assert.Contains("Connection: close\r\n", response);
            Assert.EndsWith("\r\n\r\n", response);
        }

        Assert.Empty(host.Handler.Connections);
    }

    [Fact]
    public async Task OversizedHead_Gets431()
    {
        await using var host = await EdgeTestHost.StartAsync(new() { ["Edge:MaxRequestHeadBytes"] = "2048" });
        var (tcp, tls) = await host.ConnectTlsAsync();
        using (tcp)
        await using (tls)
        {
            string request = SstpRequestHeadParserTests.WindowsHead[..^2] + "X-Pad: " + new string('a', 3000) + "\r\n\r\n";
            await tls.WriteAsync(Encoding.ASCII.GetBytes(request));
            string response = Encoding.ASCII.GetString(await EdgeTestHost.ReadToEndAsync(tls));
            Assert.StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n", response);
        }
    }

    [Fact]
    public async Task UnfinishedHead_Gets408AfterTheDeadline()
    {
        await using var host = await EdgeTestHost.StartAsync(new() { ["Edge:RequestHeadTimeout"] = "00:00:03" });
        var (tcp, tls) = await host.ConnectTlsAsync();
        using (tcp)
        await using (tls)
        {
            await tls.WriteAsync(SstpHead.AsMemory(0, 40));
            string response = Encoding.ASCII.GetString(await EdgeTestHost.ReadToEndAsync(tls));
            Assert.StartsWith("HTTP/1.1 408 Request Timeout\r\n", response);
        }
    }

    [Fact]
    public async Task Draining_Answers503WithRetryAfter_AndTheProbesFollow()
    {
        await using var host = await EdgeTestHost.StartAsync(new() { ["Edge:DrainingRetryAfterSeconds"] = "17" });
        host.Services.GetRequiredService<AdmissionControl>().SetDraining(true);

        var (tcp, tls) = await host.ConnectTlsAsync();
        using (tcp)
        await using (tls)
        {
            await tls.WriteAsync((byte[])[.. SstpHead, .. FirstSstpPacket]);
            string response = Encoding.ASCII.GetString(await EdgeTestHost.ReadToEndAsync(tls));
            Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 17\r\n", response);
            Assert.EndsWith("\r\n\r\n", response); // nothing of SSTP follows
        }

        Assert.Empty(host.Handler.Connections);
        using HttpClient service = EdgeTestHost.HttpsClient(host.Service);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await service.GetAsync("/sstp-health")).StatusCode);
        using HttpClient management = EdgeTestHost.HttpClient(host.Management);
        HttpResponseMessage ready = await management.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("not ready: draining\n", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await management.GetAsync("/healthz")).StatusCode);

        host.Services.GetRequiredService<AdmissionControl>().SetDraining(false);
        Assert.Equal(HttpStatusCode.OK, (await service.GetAsync("/sstp-health")).StatusCode);
    }

    [Fact]
    public async Task DrainingFromConfiguration()
    {
        await using var host = await EdgeTestHost.StartAsync(new() { ["Edge:Draining"] = "true" });
        Assert.False(host.Services.GetRequiredService<IAdmissionControl>().AcceptingSessions);
    }

    [Fact]
    public async Task HttpOnlyMode_TakesPlainSstp_WithTheConfiguredHashes()
    {
        string sha256 = "AB" + new string('0', 60) + "CD";
        await using var host = await EdgeTestHost.StartAsync(new()
        {
            ["Edge:HttpOnly"] = "true",
            ["Edge:HttpOnlyCertificateSha256"] = sha256,
        });
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(host.Service);
        NetworkStream stream = tcp.GetStream();
        await stream.WriteAsync((byte[])[.. SstpHead, .. FirstSstpPacket]);
        Assert.StartsWith("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n", await EdgeTestHost.ReadHeadAsync(stream));
        Assert.Equal(FirstSstpPacket, await EdgeTestHost.ReadExactlyAsync(stream, FirstSstpPacket.Length));
        SstpConnectionInfo info = await host.Handler.First.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Convert.FromHexString(sha256), info.CertificateHashSha256);
        Assert.Empty(info.CertificateHashSha1);
        Assert.Null(info.TlsProtocol);
        Assert.False(Assert.Single(host.Handler.HadTlsStream)); // no TLS here: the handler writes through the pipe

        using HttpClient client = EdgeTestHost.HttpClient(host.Service);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/sstp-health")).StatusCode);
    }

    [Fact]
    public async Task HttpOnlyMode_WithoutHashes_FailsToStart()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => EdgeTestHost.StartAsync(new() { ["Edge:HttpOnly"] = "true" }));
    }
}
