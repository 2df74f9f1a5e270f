using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gateway.Edge;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Edge;

/// <summary>
/// Edge:Management:Tls over real TLS connections: client certificates chaining to the configured CA bundle are
/// required in the handshake, the admin API key stays required on top, and probe listeners answer plain HTTP.
/// </summary>
public sealed class ManagementTlsEndToEndTests : IDisposable
{
    private const string ApiKey = "management-tls-test-key-0123456789";

    private readonly string _directory = EdgeTestHost.NewTempDirectory();
    private readonly X509Certificate2 _ca = TestCertificates.CreateCa("Gateway admin CA");
    private readonly X509Certificate2 _otherCa = TestCertificates.CreateCa("Gateway admin CA");
    private readonly X509Certificate2 _client;
    private readonly CapturingLoggerProvider _logs = new();

    public ManagementTlsEndToEndTests() => _client = TestCertificates.CreateClient(_ca, "ops-alice");

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
        _client.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task TrustedClientCertificate_AndApiKey_Get200()
    {
        await using var host = await StartAsync();
        using HttpClient client = Client(host.Management, _client, withKey: true);

        using HttpResponseMessage pool = await client.GetAsync("api/v1/pool");
        Assert.Equal(HttpStatusCode.OK, pool.StatusCode);
        Assert.Contains("\"range\":\"172.30.0.0/16\"", await pool.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using HttpResponseMessage health = await client.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("alive\n", await health.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TrustedClientCertificate_WithoutApiKey_Is401()
    {
        // Defence in depth: the certificate opens the connection, the API key still authorizes the call.
        await using var host = await StartAsync();
        using HttpClient client = Client(host.Management, _client, withKey: false);

        using HttpResponseMessage response = await client.GetAsync("api/v1/pool");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task NoClientCertificate_IsRefusedInTheHandshake_AndLogged()
    {
        await using var host = await StartAsync();
        using HttpClient client = Client(host.Management, certificate: null, withKey: true);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("api/v1/pool"));

        string line = Refusal("certificate Missing");
        Assert.Contains("refused client 127.0.0.1:", line, StringComparison.Ordinal);
    }

    /// <summary>
    /// .NET 10 on Linux checks the client certificate after OpenSSL's handshake messages, so the client's handshake
    /// completes (TLS 1.2 and 1.3 alike) and the server then closes the connection without a TLS alert (seen with
    /// openssl s_client: "unexpected eof"); the request is never read. Alerts need dotnet/runtime#115996.
    /// </summary>
    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task NoClientCertificate_ConnectionIsClosedBeforeAnyHttp(SslProtocols protocol)
    {
        await using var host = await StartAsync();
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(host.Management);
        await using var tls = new SslStream(tcp.GetStream());

        int answered;
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                EnabledSslProtocols = protocol,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            await tls.WriteAsync("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
            answered = await tls.ReadAsync(new byte[4096]).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            answered = 0; // an alert or a reset, should a later runtime send one
        }

        Assert.Equal(0, answered);
        Refusal("certificate Missing");
    }

    [Fact]
    public async Task CertificateFromAnotherCa_IsRefused()
    {
        using X509Certificate2 foreign = TestCertificates.CreateClient(_otherCa, "ops-alice");
        await using var host = await StartAsync();
        using HttpClient client = Client(host.Management, foreign, withKey: true);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("api/v1/pool"));

        string line = Refusal("certificate Untrusted");
        Assert.Contains("SHA-256 " + TestCertificates.Sha256Hex(foreign), line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredCertificate_IsRefused()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 expired = TestCertificates.CreateClient(_ca, "ops-alice", now.AddDays(-10), now.AddDays(-1));
        await using var host = await StartAsync();
        using HttpClient client = Client(host.Management, expired, withKey: true);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("api/v1/pool"));

        Assert.Contains("NotTimeValid", Refusal("certificate NotTimeValid"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowList_RefusesOtherTrustedCertificates()
    {
        using X509Certificate2 bob = TestCertificates.CreateClient(_ca, "ops-bob");
        await using var host = await StartAsync(new() { ["Edge:Management:Tls:AllowedClientSubjects:0"] = "ops-alice" });

        using (HttpClient alice = Client(host.Management, _client, withKey: true))
        {
            using HttpResponseMessage response = await alice.GetAsync("api/v1/pool");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using HttpClient refused = Client(host.Management, bob, withKey: true);
        await Assert.ThrowsAsync<HttpRequestException>(() => refused.GetAsync("api/v1/pool"));
        Assert.Contains("subject CN=ops-bob", Refusal("certificate NotAllowed"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeListener_AnswersHealthOverPlainHttp_AndNothingElse()
    {
        await using var host = await StartAsync();
        IPEndPoint probe = Assert.Single(host.Probes);
        using HttpClient plain = EdgeTestHost.HttpClient(probe);
        plain.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);

        using HttpResponseMessage health = await plain.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("alive\n", await health.Content.ReadAsStringAsync());
        using HttpResponseMessage ready = await plain.GetAsync("readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready\n", await ready.Content.ReadAsStringAsync());

        // No admin API, Swagger or anything else without the client certificate, even with the key.
        foreach (string path in new[] { "api/v1/pool", "swagger/v1/swagger.json", "metrics", "sstp-health" })
        {
            using HttpResponseMessage other = await plain.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        }

        // The management listener itself refuses certificate-less probes: the handshake precedes the path.
        using HttpClient noCertificate = Client(host.Management, certificate: null, withKey: false);
        await Assert.ThrowsAsync<HttpRequestException>(() => noCertificate.GetAsync("healthz"));
    }

    [Fact]
    public async Task ProbeListener_FollowsReadiness()
    {
        await using var host = await StartAsync();
        host.Services.GetRequiredService<AdmissionControl>().SetDraining(true);
        using HttpClient plain = EdgeTestHost.HttpClient(Assert.Single(host.Probes));

        using HttpResponseMessage ready = await plain.GetAsync("readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    [Fact]
    public async Task WithoutOwnCertificate_TheServiceCertificateIsPresented()
    {
        await using var host = await StartAsync();

        string? presented = await HealthAcceptedAsync(host, _client);

        Assert.Equal(TestCertificates.Sha256Hex(host.Services.GetRequiredService<ServerCertificateStore>().Current), presented);
    }

    [Fact]
    public async Task SharedServiceCertificate_FollowsItsReload()
    {
        using X509Certificate2 first = TestCertificates.CreateClient(_ca, "vpn.example");
        using X509Certificate2 second = TestCertificates.CreateClient(_ca, "vpn2.example");
        string certificatePath = Path.Combine(_directory, "service.crt");
        string keyPath = Path.Combine(_directory, "service.key");
        WritePem(first, certificatePath, keyPath);
        await using var host = await StartAsync(new()
        {
            ["Edge:Tls:CertificatePath"] = certificatePath,
            ["Edge:Tls:KeyPath"] = keyPath,
        });
        Assert.Equal(TestCertificates.Sha256Hex(first), await HealthAcceptedAsync(host, _client));

        WritePem(second, certificatePath, keyPath);
        Assert.True(host.Services.GetRequiredService<ServerCertificateStore>().ReloadIfChanged());

        Assert.Equal(TestCertificates.Sha256Hex(second), await HealthAcceptedAsync(host, _client));
    }

    [Fact]
    public async Task OwnCertificate_AndCaBundle_AreReloadedWhenTheFilesChange()
    {
        using X509Certificate2 first = TestCertificates.CreateClient(_ca, "admin.example"); // any certificate with a key will do as server certificate
        using X509Certificate2 second = TestCertificates.CreateClient(_ca, "admin2.example");
        string certificatePath = Path.Combine(_directory, "management.crt");
        string keyPath = Path.Combine(_directory, "management.key");
        WritePem(first, certificatePath, keyPath);
        using X509Certificate2 foreign = TestCertificates.CreateClient(_otherCa, "ops-carol");
        await using var host = await StartAsync(new()
        {
            ["Edge:Management:Tls:CertificatePath"] = certificatePath,
            ["Edge:Management:Tls:KeyPath"] = keyPath,
        });

        Assert.Equal(TestCertificates.Sha256Hex(first), await HealthAcceptedAsync(host, _client));
        await HealthRefusedAsync(host, foreign);

        // Rotate the server certificate and move trust to the other CA.
        WritePem(second, certificatePath, keyPath);
        TestCertificates.WriteBundle(_directory, "admin-ca.pem", _otherCa);
        var store = host.Services.GetRequiredService<ManagementTlsStore>();
        Assert.True(store.ReloadIfChanged());
        Assert.False(store.ReloadIfChanged());

        Assert.Equal(TestCertificates.Sha256Hex(second), await HealthAcceptedAsync(host, foreign));
        await HealthRefusedAsync(host, _client);
    }

    /// <summary>GET /healthz on the management listener with <paramref name="certificate"/>: 200; returns the server certificate's SHA-256.</summary>
    private static async Task<string?> HealthAcceptedAsync(EdgeTestHost host, X509Certificate2 certificate)
    {
        using HttpClient client = Client(host.Management, certificate, withKey: false, out Func<string?> seen);
        using HttpResponseMessage response = await client.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return seen();
    }

    private static async Task HealthRefusedAsync(EdgeTestHost host, X509Certificate2 certificate)
    {
        using HttpClient client = Client(host.Management, certificate, withKey: false);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("healthz"));
    }

    [Fact]
    public async Task ServerOnlyTls_NeedsNoClientCertificate_ButTheKey()
    {
        await using var host = await EdgeTestHost.StartAsync(new()
        {
            ["Edge:Management:Tls:Enabled"] = "true",
            ["Edge:Management:Tls:RequireClientCertificate"] = "false",
            ["Admin:ApiKeys:0"] = ApiKey,
        }, withAdmin: true);

        using (HttpClient client = Client(host.Management, certificate: null, withKey: true))
        {
            using HttpResponseMessage response = await client.GetAsync("api/v1/pool");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using HttpClient keyless = Client(host.Management, certificate: null, withKey: false);
        using HttpResponseMessage refused = await keyless.GetAsync("api/v1/pool");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task RequiredClientCertificate_WithoutCaBundle_FailsAtStart()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => EdgeTestHost.StartAsync(new() { ["Edge:Management:Tls:Enabled"] = "true" }));
        Assert.Contains("Edge:Management:Tls:ClientCaPath", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Default_ManagementListenerIsPlainHttp()
    {
        await using var host = await EdgeTestHost.StartAsync();
        using HttpClient plain = EdgeTestHost.HttpClient(host.Management);

        using HttpResponseMessage health = await plain.GetAsync("healthz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Empty(host.Probes);
    }

    private Task<EdgeTestHost> StartAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Edge:Management:Tls:Enabled"] = "true",
            ["Edge:Management:Tls:ClientCaPath"] = TestCertificates.WriteBundle(_directory, "admin-ca.pem", _ca),
            ["Edge:Management:ProbeListen:0"] = "127.0.0.1:0",
            ["Admin:ApiKeys:0"] = ApiKey,
        };
        foreach (var pair in extra ?? [])
        {
            settings[pair.Key] = pair.Value;
        }

        return EdgeTestHost.StartAsync(settings, withAdmin: true, logs: _logs);
    }

    /// <summary>
    /// The refusal warning, checked to say <paramref name="expected"/>. HttpClient retries a new connection the server
    /// closed before answering (up to 3 times), so one request may log several identical refusals.
    /// </summary>
    private string Refusal(string expected)
    {
        List<string> refusals = [.. _logs.Entries.Where(e => e.EventId == 1021 && e.Level == LogLevel.Warning).Select(e => e.Message)];
        Assert.NotEmpty(refusals);
        Assert.All(refusals, line => Assert.Contains(expected, line, StringComparison.Ordinal));
        return refusals[0];
    }

    private static HttpClient Client(IPEndPoint endPoint, X509Certificate2? certificate, bool withKey) =>
        Client(endPoint, certificate, withKey, out _);

    /// <param name="serverSha256">The SHA-256 of the certificate the server presented (after a request).</param>
    private static HttpClient Client(IPEndPoint endPoint, X509Certificate2? certificate, bool withKey, out Func<string?> serverSha256)
    {
        string? seen = null;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, server, _, _) =>
        {
            seen = server is null ? null : TestCertificates.Sha256Hex(X509CertificateLoader.LoadCertificate(server.GetRawCertData()));
            return server is not null;
        };
        if (certificate is not null)
        {
            // Offered whatever CA names the server lists, so that a foreign or expired certificate reaches the server's check.
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate;
        }

        serverSha256 = () => seen;
        var client = new HttpClient(handler) { BaseAddress = new Uri($"https://{endPoint}/"), Timeout = TimeSpan.FromSeconds(20) };
        if (withKey)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        }

        return client;
    }

    private static void WritePem(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }
}
