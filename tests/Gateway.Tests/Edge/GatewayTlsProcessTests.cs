using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Gateway.Edge;
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

        // TLS 1.3: one session ticket per full handshake (NumTickets; OpenSSL sends 2 without it), and it resumes.
        Assert.Equal(OpenSslCipherConfig.NumTickets, await Tls13TicketRecordsAsync(Service(gateway)));
        long full13 = await EdgeTlsEndToEndTests.HandshakeBytesAsync(Service(gateway), SslProtocols.Tls13);
        long resumed13 = await EdgeTlsEndToEndTests.HandshakeBytesAsync(Service(gateway), SslProtocols.Tls13);
        Assert.True(resumed13 < full13 - 500, $"TLS 1.3: full {full13} B, second {resumed13} B");

        // A CBC suite the .NET default list would offer (ECDHE-RSA-AES128-SHA256) is still refused.
        await Assert.ThrowsAnyAsync<AuthenticationException>(() => EdgeTlsEndToEndTests.HandshakeBytesAsync(Service(gateway), SslProtocols.Tls12,
            new CipherSuitesPolicy([TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256])));
    }

    private static IPEndPoint Service(GatewayProcess gateway) => new(IPAddress.Loopback, gateway.Port);

    /// <summary>
    /// TLS records the server sends after a full TLS 1.3 handshake before the client says anything: its session tickets
    /// (RFC 8446 4.6.1), one record each. They come only after the server has read the client's Finished, so none is
    /// in what SslStream read during the handshake; the rest is read from the socket below it, record headers only.
    /// </summary>
    private static async Task<int> Tls13TicketRecordsAsync(IPEndPoint service)
    {
        using var tcp = new System.Net.Sockets.TcpClient(System.Net.Sockets.AddressFamily.InterNetwork);
        await tcp.ConnectAsync(service);
        System.Net.Sockets.NetworkStream raw = tcp.GetStream();
        await using var tls = new SslStream(raw, leaveInnerStreamOpen: true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "tickets.test", // a name of its own: no cached session, a full handshake
            EnabledSslProtocols = SslProtocols.Tls13,
            AllowTlsResume = false,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });

        var bytes = new List<byte>();
        byte[] buffer = new byte[4096];
        while (true)
        {
            // The tickets follow the handshake at once; 500 ms of silence ends the count.
            using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            int n;
            try
            {
                n = await raw.ReadAsync(buffer, quiet.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (n == 0)
            {
                break;
            }

            bytes.AddRange(buffer.AsSpan(0, n));
        }

        int records = 0;
        for (int i = 0; i + 5 <= bytes.Count; i += 5 + ((bytes[i + 3] << 8) | bytes[i + 4]))
        {
            Assert.Equal(0x17, bytes[i]); // TLS 1.3 hides the handshake type: application_data records (RFC 8446 5.2)
            records++;
        }

        return records;
    }
}
