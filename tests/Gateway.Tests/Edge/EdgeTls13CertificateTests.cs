using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Client;
using Gateway.Edge;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Edge;

/// <summary>
/// <c>Edge:Tls:Tls13CertificatePath</c>: clients offering TLS 1.3 get the second (ECDSA) certificate, the others the main
/// (RSA) one, and the SSTP crypto binding is bound to the certificate each connection was served (MS-SSTP 3.3.5.2.3).
/// </summary>
public class EdgeTls13CertificateTests
{
    [Fact]
    public async Task Tls13_clients_get_the_Tls13_certificate_Tls12_clients_the_main_one_each_bound_to_what_it_was_served()
    {
        using X509Certificate2 rsa = TestCertificates.CreateServer("CN=edge-rsa");
        using X509Certificate2 ecdsa = TestCertificates.CreateServer("CN=edge-ecdsa", ecdsa: true);
        await using EdgeTestHost host = await StartAsync(rsa, ecdsa);

        (SslProtocols Offered, SslProtocols Negotiated, X509Certificate2 Served)[] cases =
        [
            (SslProtocols.Tls12, SslProtocols.Tls12, rsa),
            (SslProtocols.Tls13, SslProtocols.Tls13, ecdsa),
            (SslProtocols.Tls12 | SslProtocols.Tls13, SslProtocols.Tls13, ecdsa),
        ];
        for (int i = 0; i < cases.Length; i++)
        {
            var (tcp, tls) = await host.ConnectTlsAsync(protocols: cases[i].Offered);
            using (tcp)
            await using (tls)
            {
                Assert.Equal(cases[i].Negotiated, tls.SslProtocol);
                Assert.Equal(cases[i].Served.RawData, tls.RemoteCertificate!.GetRawCertData());
                await tls.WriteAsync(Encoding.ASCII.GetBytes(SstpRequestHeadParserTests.WindowsHead));
                Assert.StartsWith("HTTP/1.1 200 OK", await EdgeTestHost.ReadHeadAsync(tls));
                await tls.WriteAsync(new byte[] { 7 });
                Assert.Equal(new byte[] { 7 }, await EdgeTestHost.ReadExactlyAsync(tls, 1)); // the handler has the connection
            }

            SstpConnectionInfo info = host.Handler.Connections.ToArray()[i];
            Assert.Equal(SHA256.HashData(cases[i].Served.RawData), info.CertificateHashSha256);
            Assert.Equal(SHA1.HashData(cases[i].Served.RawData), info.CertificateHashSha1);
        }
    }

    /// <summary>
    /// The whole gateway with the project's client: the SSTP server session checks the client's crypto binding against the
    /// hash of the certificate this connection was served, so a session comes up over either protocol only if each is
    /// bound to its own certificate (MS-SSTP 3.3.5.2.3; a mismatch aborts the call before IPCP).
    /// </summary>
    [Fact]
    public async Task Sstp_sessions_come_up_over_Tls12_with_the_main_certificate_and_Tls13_with_the_other()
    {
        using X509Certificate2 rsa = TestCertificates.CreateServer("CN=gw-rsa");
        using X509Certificate2 ecdsa = TestCertificates.CreateServer("CN=gw-ecdsa", ecdsa: true);
        string dir = EdgeTestHost.NewTempDirectory();
        TestCertificates.WritePem(rsa, Path.Combine(dir, "tls.crt"), Path.Combine(dir, "tls.key"));
        TestCertificates.WritePem(ecdsa, Path.Combine(dir, "tls13.crt"), Path.Combine(dir, "tls13.key"));
        using NetNs ns = NetNs.Create("t13c");
        await using GatewayHarness gateway = await GatewayHarness.StartAsync(ns.Name, "10.219.13.0/24", new Dictionary<string, string>
        {
            ["Edge:Tls:CertificatePath"] = Path.Combine(dir, "tls.crt"),
            ["Edge:Tls:KeyPath"] = Path.Combine(dir, "tls.key"),
            ["Edge:Tls:Tls13CertificatePath"] = Path.Combine(dir, "tls13.crt"),
            ["Edge:Tls:Tls13KeyPath"] = Path.Combine(dir, "tls13.key"),
        });

        foreach ((SslProtocols protocols, X509Certificate2 served) in new[] { (SslProtocols.Tls12, rsa), (SslProtocols.Tls13, ecdsa) })
        {
            await using SstpTunnelClient client = await SstpTunnelClient.ConnectAsync(new SstpClientSettings
            {
                Host = "127.0.0.1",
                Port = gateway.ServiceEndPoint.Port,
                User = GatewayHarness.User,
                Password = GatewayHarness.Password,
                TlsProtocols = protocols,
                PinnedSha256 = TestCertificates.Sha256Hex(served), // the client accepts only the expected certificate
            });
            Assert.NotNull(client.Address);
            await client.DisconnectAsync("test");
        }
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Sessions_resume_with_either_certificate(SslProtocols protocol)
    {
        using X509Certificate2 rsa = TestCertificates.CreateServer("CN=edge-rsa");
        using X509Certificate2 ecdsa = TestCertificates.CreateServer("CN=edge-ecdsa", ecdsa: true);
        await using EdgeTestHost host = await StartAsync(rsa, ecdsa, new() { ["Edge:Tls:PlatformCipherSuites"] = "true" });
        long full = await EdgeTlsEndToEndTests.HandshakeBytesAsync(host.Service, protocol);
        long resumed = await EdgeTlsEndToEndTests.HandshakeBytesAsync(host.Service, protocol);

        // A resumed handshake carries no Certificate message (and no CertificateVerify): > 300 bytes less for either.
        Assert.True(resumed < full - 300, $"full {full} B, second {resumed} B");
    }

    [Fact]
    public async Task The_Tls13_certificate_is_reloaded_for_new_connections()
    {
        using X509Certificate2 rsa = TestCertificates.CreateServer("CN=edge-rsa");
        using X509Certificate2 first = TestCertificates.CreateServer("CN=edge-ecdsa-1", ecdsa: true);
        await using EdgeTestHost host = await StartAsync(rsa, first);
        Assert.Equal(first.RawData, await EdgeTlsEndToEndTests.ServedCertificateAsync(host, SslProtocols.Tls13));

        using X509Certificate2 second = TestCertificates.CreateServer("CN=edge-ecdsa-2", ecdsa: true);
        TestCertificates.WritePem(second, Path.Combine(host.DataDirectory, "tls13.crt"), Path.Combine(host.DataDirectory, "tls13.key"));
        byte[] served = [];
        for (int i = 0; i < 100 && !served.SequenceEqual(second.RawData); i++)
        {
            await Task.Delay(100);
            served = await EdgeTlsEndToEndTests.ServedCertificateAsync(host, SslProtocols.Tls13);
        }

        Assert.Equal(second.RawData, served);
        Assert.Equal(rsa.RawData, await EdgeTlsEndToEndTests.ServedCertificateAsync(host, SslProtocols.Tls12));
    }

    [Fact]
    public async Task A_Tls13_certificate_without_a_main_one_is_refused_at_startup()
    {
        using X509Certificate2 ecdsa = TestCertificates.CreateServer("CN=edge-ecdsa", ecdsa: true);
        string dir = EdgeTestHost.NewTempDirectory();
        TestCertificates.WritePem(ecdsa, Path.Combine(dir, "tls13.crt"), Path.Combine(dir, "tls13.key"));
        Exception ex = await Assert.ThrowsAnyAsync<Exception>(() => EdgeTestHost.StartAsync(new()
        {
            ["Edge:Tls:Tls13CertificatePath"] = Path.Combine(dir, "tls13.crt"),
            ["Edge:Tls:Tls13KeyPath"] = Path.Combine(dir, "tls13.key"),
        }));
        Assert.Contains("Edge:Tls:Tls13CertificatePath needs Edge:Tls:CertificatePath", ex.ToString());
    }

    /// <summary>An edge host with <paramref name="main"/> and <paramref name="tls13"/> as PEM files in its data directory.</summary>
    internal static async Task<EdgeTestHost> StartAsync(X509Certificate2 main, X509Certificate2 tls13, Dictionary<string, string?>? more = null)
    {
        string dir = EdgeTestHost.NewTempDirectory();
        TestCertificates.WritePem(main, Path.Combine(dir, "tls.crt"), Path.Combine(dir, "tls.key"));
        TestCertificates.WritePem(tls13, Path.Combine(dir, "tls13.crt"), Path.Combine(dir, "tls13.key"));
        var settings = new Dictionary<string, string?>
        {
            ["Edge:Tls:CertificatePath"] = Path.Combine(dir, "tls.crt"),
            ["Edge:Tls:KeyPath"] = Path.Combine(dir, "tls.key"),
            ["Edge:Tls:Tls13CertificatePath"] = Path.Combine(dir, "tls13.crt"),
            ["Edge:Tls:Tls13KeyPath"] = Path.Combine(dir, "tls13.key"),
            ["Edge:Tls:ReloadCheckInterval"] = "00:00:00.200",
        };
        foreach (KeyValuePair<string, string?> pair in more ?? [])
        {
            settings[pair.Key] = pair.Value;
        }

        return await EdgeTestHost.StartAsync(settings, dataDirectory: dir);
    }
}
