using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Edge;

/// <summary>
/// Edge:Tls:OpenSslConfig in the real gateway process (only Program.cs installs it: it is process-wide): the AEAD-only
/// policy still holds, and TLS sessions resume because .NET can cache the TLS context without a CipherSuitesPolicy.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // CipherSuitesPolicy; the gateway process test is Linux-only anyway
public sealed class GatewayTlsProcessTests
{
    [Fact]
    public async Task Gateway_process_keeps_the_aead_policy_and_resumes_tls_sessions()
    {
        using NetNs ns = NetNs.Create("tlsc");
        using GatewayProcess gateway = await GatewayProcess.StartAsync(ns.Name, "10.216.7.0/24",
            new Dictionary<string, string> { ["Logging:LogLevel:Default"] = "Information" });

        Assert.True(File.Exists(Path.Combine(gateway.DataDirectory, "openssl-gateway.cnf")));
        Assert.Contains("TLS contexts cached and sessions resumable: True", gateway.Output);

        long full = await EdgeTlsEndToEndTests.HandshakeBytesAsync(Service(gateway), SslProtocols.Tls12);
        long resumed = await EdgeTlsEndToEndTests.HandshakeBytesAsync(Service(gateway), SslProtocols.Tls12);
        Assert.True(resumed < full - 500, $"full {full} B, second {resumed} B"); // no Certificate message the second time

        // A CBC suite the .NET default list would offer (ECDHE-RSA-AES128-SHA256) is still refused.
        await Assert.ThrowsAnyAsync<AuthenticationException>(() => EdgeTlsEndToEndTests.HandshakeBytesAsync(Service(gateway), SslProtocols.Tls12,
            new CipherSuitesPolicy([TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256])));
    }

    private static IPEndPoint Service(GatewayProcess gateway) => new(IPAddress.Loopback, gateway.Port);
}
