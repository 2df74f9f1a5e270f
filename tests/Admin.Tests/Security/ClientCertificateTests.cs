using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Admin.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Admin.Tests.Security;

/// <summary>
/// Admin:RequireClientCertificate over a real TLS listener: Kestrel validates the certificate during the handshake
/// (here: only the one trusted client certificate), the handler demands that one was presented.
/// </summary>
public sealed class ClientCertificateTests : IDisposable
{
    private readonly X509Certificate2 _server = CreateCertificate("CN=127.0.0.1", "1.3.6.1.5.5.7.3.1");
    private readonly X509Certificate2 _client = CreateCertificate("CN=admin-operator", "1.3.6.1.5.5.7.3.2");

    public void Dispose()
    {
        _server.Dispose();
        _client.Dispose();
    }

    [Fact]
    public async Task Key_and_client_certificate_are_accepted()
    {
        await using var host = await StartAsync(requireCertificate: true);
        using var client = CreateClient(host, withCertificate: true, withKey: true);

        using var response = await client.GetAsync("/api/v1/pool");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Key_without_client_certificate_is_401()
    {
        await using var host = await StartAsync(requireCertificate: true);
        using var client = CreateClient(host, withCertificate: false, withKey: true);

        using var response = await client.GetAsync("/api/v1/pool");

        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Equal("A client certificate is required on the management listener.", problem.GetProperty("detail").GetString());
        Assert.Equal("Bearer realm=\"sstp-gateway-admin\", error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task Client_certificate_without_key_is_401()
    {
        await using var host = await StartAsync(requireCertificate: true);
        using var client = CreateClient(host, withCertificate: true, withKey: false);

        using var response = await client.GetAsync("/api/v1/pool");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task Certificate_is_optional_unless_required()
    {
        await using var host = await StartAsync(requireCertificate: false);
        using var client = CreateClient(host, withCertificate: false, withKey: true);

        using var response = await client.GetAsync("/api/v1/pool");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<AdminApiHost> StartAsync(bool requireCertificate) => AdminApiHost.StartAsync(
        settings: new Dictionary<string, string?>
        {
            ["Admin:ApiKeys:0"] = AdminApiHost.Key,
            ["Admin:RequireClientCertificate"] = requireCertificate ? "true" : "false",
        },
        kestrel: options => options.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = _server;
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.ClientCertificateValidation = (certificate, _, _) => certificate.Thumbprint == _client.Thumbprint;
        })));

    private HttpClient CreateClient(AdminApiHost host, bool withCertificate, bool withKey)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && certificate.GetCertHashString() == _server.Thumbprint;
        if (withCertificate)
        {
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => _client;
        }

        var client = new HttpClient(handler) { BaseAddress = host.ManagementBase };
        if (withKey)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminApiHost.Key);
        }

        return client;
    }

    private static X509Certificate2 CreateCertificate(string subject, string extendedKeyUsage)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(extendedKeyUsage)], critical: false));
        var builder = new SubjectAlternativeNameBuilder();
        builder.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(builder.Build());
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(1));

        // Round trip through PKCS#12 so the private key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }
}
