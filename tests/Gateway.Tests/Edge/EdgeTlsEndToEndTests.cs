using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Edge;

namespace Gateway.Tests.Edge;

/// <summary>TLS on the service port: protocol floor, AEAD-only suites, certificate sources and hot reload.</summary>
public class EdgeTlsEndToEndTests
{
    [Fact]
    public async Task Tls11_IsRefused_Tls12Aead_IsAccepted()
    {
        await using var host = await EdgeTestHost.StartAsync();

        byte[] refused = await TlsClientHello.ExchangeAsync(host.Service, TlsClientHello.Build(TlsClientHello.Tls11, TlsClientHello.CbcSuites));
        Assert.Equal(0x15, refused[0]); // alert record
        Assert.Equal(70, refused[6]);   // protocol_version (RFC 5246 7.2.2)

        byte[] accepted = await TlsClientHello.ExchangeAsync(host.Service, TlsClientHello.Build(TlsClientHello.Tls12, TlsClientHello.AeadSuites));
        Assert.Equal(0x16, accepted[0]); // handshake record
        Assert.Equal(0x02, accepted[5]); // ServerHello
        Assert.Equal(new byte[] { 0x03, 0x03 }, accepted[9..11]);
    }

    [Fact]
    public async Task CbcOnlyClient_IsRefusedByDefault_AndAcceptedWithTheLegacyOption()
    {
        byte[] hello = TlsClientHello.Build(TlsClientHello.Tls12, TlsClientHello.CbcSuites);
        await using (var strict = await EdgeTestHost.StartAsync())
        {
            byte[] answer = await TlsClientHello.ExchangeAsync(strict.Service, hello);
            Assert.Equal(0x15, answer[0]);
            Assert.Equal(40, answer[6]); // handshake_failure: no shared suite
        }

        await using (var legacy = await EdgeTestHost.StartAsync(new() { ["Edge:Tls:AllowLegacyCbcSuites"] = "true" }))
        {
            byte[] answer = await TlsClientHello.ExchangeAsync(legacy.Service, hello);
            Assert.Equal(0x16, answer[0]);
            Assert.Equal(0x02, answer[5]);
        }
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    [InlineData(SslProtocols.None)]
    public async Task DefaultSuites_AreAead(SslProtocols protocols)
    {
        await using var host = await EdgeTestHost.StartAsync();
        var (tcp, tls) = await host.ConnectTlsAsync(protocols: protocols);
        using (tcp)
        await using (tls)
        {
            Assert.True(TlsPolicy.IsAead(tls.NegotiatedCipherSuite), tls.NegotiatedCipherSuite.ToString());
            Assert.True(tls.SslProtocol is SslProtocols.Tls12 or SslProtocols.Tls13);
            if (protocols != SslProtocols.None)
            {
                Assert.Equal(protocols, tls.SslProtocol);
            }
        }
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task SessionResumption_WorksWithPlatformCipherSuites(SslProtocols protocol)
    {
        await using var host = await EdgeTestHost.StartAsync(new() { ["Edge:Tls:PlatformCipherSuites"] = "true" });
        long full = await HandshakeBytesAsync(host.Service, protocol);
        long resumed = await HandshakeBytesAsync(host.Service, protocol);

        // A resumed handshake carries no Certificate message (the RSA-2048 certificate alone is > 700 bytes).
        Assert.True(resumed < full - 500, $"full {full} B, second {resumed} B");
    }

    /// <summary>
    /// Documents the runtime limit behind Edge:Tls:OpenSslConfig and PlatformCipherSuites: with a CipherSuitesPolicy
    /// .NET does not resume. If this starts failing, the runtime lifted the limit and the options can go.
    /// </summary>
    [Fact]
    public async Task SessionResumption_IsOffWithTheAeadPolicy_RuntimeLimit()
    {
        await using var host = await EdgeTestHost.StartAsync(new() { ["Edge:Tls:OpenSslConfig"] = "false" });
        long full = await HandshakeBytesAsync(host.Service, SslProtocols.Tls12);
        long second = await HandshakeBytesAsync(host.Service, SslProtocols.Tls12);
        Assert.True(second > full - 100, $"full {full} B, second {second} B"); // the certificate was sent again
    }

    /// <summary>Bytes the server sent during one TLS handshake (a resumed one carries no Certificate message).</summary>
    internal static async Task<long> HandshakeBytesAsync(IPEndPoint service, SslProtocols protocol, CipherSuitesPolicy? suites = null)
    {
        using var tcp = new System.Net.Sockets.TcpClient(System.Net.Sockets.AddressFamily.InterNetwork);
        await tcp.ConnectAsync(service);
        var counting = new CountingStream(tcp.GetStream());
        await using var tls = new SslStream(counting);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = protocol,
            AllowTlsResume = true,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        };
        if (suites is not null && !OperatingSystem.IsWindows())
        {
            options.CipherSuitesPolicy = suites;
        }

        await tls.AuthenticateAsClientAsync(options);
        long handshake = counting.BytesRead;

        // One request/response so that TLS 1.3 session tickets (sent after the handshake) are processed.
        await tls.WriteAsync(Encoding.ASCII.GetBytes("GET /sstp-health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
        await EdgeTestHost.ReadToEndAsync(tls);
        return handshake;
    }

    [Fact]
    public async Task SelfSignedCertificate_IsCreatedOnce_AndReusedAfterRestart()
    {
        string dataDirectory = EdgeTestHost.NewTempDirectory();
        string path = Path.Combine(dataDirectory, "edge-selfsigned.pfx");
        byte[] first;
        await using (var host = await EdgeTestHost.StartAsync(dataDirectory: dataDirectory))
        {
            first = await ServedCertificateAsync(host);
        }

        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path)); // holds the private key
        }

        DateTime written = File.GetLastWriteTimeUtc(path);

        using (var cert = X509CertificateLoader.LoadCertificate(first))
        {
            string host = System.Net.Dns.GetHostName();
            Assert.Equal("CN=" + host, cert.Subject);
            Assert.Equal(2048, cert.GetRSAPublicKey()!.KeySize);
            var eku = cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
            Assert.Contains(eku.EnhancedKeyUsages.Cast<Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");
            var san = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
            Assert.Contains(host, san.EnumerateDnsNames());
            Assert.Contains("localhost", san.EnumerateDnsNames());
            Assert.Contains(IPAddress.Loopback, san.EnumerateIPAddresses());
        }

        await using (var host = await EdgeTestHost.StartAsync(dataDirectory: dataDirectory))
        {
            Assert.Equal(first, await ServedCertificateAsync(host));
        }

        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public async Task PemCertificate_IsServed_AndReloadedForNewConnectionsOnly()
    {
        string dir = EdgeTestHost.NewTempDirectory();
        string certPath = Path.Combine(dir, "tls.crt");
        string keyPath = Path.Combine(dir, "tls.key");
        using X509Certificate2 a = TestCertificates.CreateServer("CN=edge-a");
        TestCertificates.WritePem(a, certPath, keyPath);

        await using var host = await EdgeTestHost.StartAsync(new()
        {
            ["Edge:Tls:CertificatePath"] = certPath,
            ["Edge:Tls:KeyPath"] = keyPath,
            ["Edge:Tls:ReloadCheckInterval"] = "00:00:00.200",
        });
        Assert.Equal(a.RawData, await ServedCertificateAsync(host));

        // An SSTP session that started on certificate A.
        var (tcp, tls) = await host.ConnectTlsAsync();
        using (tcp)
        await using (tls)
        {
            await tls.WriteAsync(Encoding.ASCII.GetBytes(SstpRequestHeadParserTests.WindowsHead));
            Assert.StartsWith("HTTP/1.1 200 OK", await EdgeTestHost.ReadHeadAsync(tls));

            using X509Certificate2 b = TestCertificates.CreateServer("CN=edge-b");
            TestCertificates.WritePem(b, certPath, keyPath);
            byte[] served = [];
            for (int i = 0; i < 100 && !served.SequenceEqual(b.RawData); i++)
            {
                await Task.Delay(100);
                served = await ServedCertificateAsync(host);
            }

            Assert.Equal(b.RawData, served);

            // The old connection still works and was bound to certificate A.
            await tls.WriteAsync(new byte[] { 1, 2, 3 });
            Assert.Equal(new byte[] { 1, 2, 3 }, await EdgeTestHost.ReadExactlyAsync(tls, 3));
            SstpConnectionInfo info = await host.Handler.First.Task;
            Assert.Equal(SHA256.HashData(a.RawData), info.CertificateHashSha256);
        }
    }

    [Fact]
    public async Task PfxCertificate_IsServed()
    {
        string dir = EdgeTestHost.NewTempDirectory();
        string pfxPath = Path.Combine(dir, "tls.pfx");
        using X509Certificate2 cert = TestCertificates.CreateServer("CN=edge-pfx");
        File.WriteAllBytes(pfxPath, cert.Export(X509ContentType.Pfx, "secret"));
        await using var host = await EdgeTestHost.StartAsync(new()
        {
            ["Edge:Tls:CertificatePath"] = pfxPath,
            ["Edge:Tls:CertificatePassword"] = "secret",
        });
        Assert.Equal(cert.RawData, await ServedCertificateAsync(host));
    }

    internal static async Task<byte[]> ServedCertificateAsync(EdgeTestHost host, SslProtocols protocols = SslProtocols.None)
    {
        var (tcp, tls) = await host.ConnectTlsAsync(protocols: protocols);
        using (tcp)
        await using (tls)
        {
            return tls.RemoteCertificate!.GetRawCertData();
        }
    }
}
