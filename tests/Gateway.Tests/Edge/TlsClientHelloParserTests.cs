using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Gateway.Edge;

namespace Gateway.Tests.Edge;

/// <summary>Which versions a ClientHello offers, read from the first record (real .NET/OpenSSL ClientHellos and edge cases).</summary>
public class TlsClientHelloParserTests
{
    [Theory]
    [InlineData(SslProtocols.Tls13, true)]
    [InlineData(SslProtocols.Tls12 | SslProtocols.Tls13, true)]
    [InlineData(SslProtocols.Tls12, false)]
    public async Task A_real_ClientHello_offers_Tls13_when_the_client_enables_it(SslProtocols protocols, bool expected)
    {
        byte[] hello = await CaptureClientHelloAsync(protocols);

        Assert.Equal(TlsClientHelloStatus.Done, TlsClientHelloParser.OffersTls13(hello, out bool tls13));
        Assert.Equal(expected, tls13);
    }

    [Fact]
    public async Task Every_prefix_of_the_first_record_is_incomplete()
    {
        byte[] hello = await CaptureClientHelloAsync(SslProtocols.Tls13);
        int recordEnd = 5 + ((hello[3] << 8) | hello[4]);
        for (int n = 0; n < recordEnd; n++)
        {
            Assert.Equal(TlsClientHelloStatus.Incomplete, TlsClientHelloParser.OffersTls13(hello.AsSpan(0, n), out bool tls13));
            Assert.False(tls13);
        }
    }

    [Fact]
    public void A_hand_built_Tls12_ClientHello_without_supported_versions_does_not_offer_Tls13()
    {
        byte[] hello = TlsClientHello.Build(TlsClientHello.Tls12, TlsClientHello.AeadSuites);

        Assert.Equal(TlsClientHelloStatus.Done, TlsClientHelloParser.OffersTls13(hello, out bool tls13));
        Assert.False(tls13);
    }

    [Fact]
    public async Task A_ClientHello_fragmented_before_its_extensions_gives_the_main_certificate()
    {
        byte[] hello = await CaptureClientHelloAsync(SslProtocols.Tls13);
        // The same handshake message cut after 40 bytes into a first record of its own (RFC 8446 5.1 allows it).
        byte[] first = [22, 3, 1, 0, 40, .. hello.AsSpan(5, 40)];

        Assert.Equal(TlsClientHelloStatus.Done, TlsClientHelloParser.OffersTls13(first, out bool tls13));
        Assert.False(tls13);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'P', (byte)'O', (byte)'S', (byte)'T' })] // plain HTTP
    [InlineData(new byte[] { 22, 2, 0, 0, 1, 1 })]                            // not a TLS record version
    [InlineData(new byte[] { 22, 3, 1, 0x40, 0x01 })]                         // record longer than 2^14
    [InlineData(new byte[] { 22, 3, 1, 0, 1, 2 })]                            // a ServerHello
    [InlineData(new byte[] { 22, 3, 1, 0, 0 })]                               // empty record
    public void Anything_else_is_not_a_ClientHello(byte[] data)
    {
        Assert.Equal(TlsClientHelloStatus.NotClientHello, TlsClientHelloParser.OffersTls13(data, out bool tls13));
        Assert.False(tls13);
    }

    /// <summary>The first bytes an SslStream client sends (its ClientHello record), read by a plain socket.</summary>
    private static async Task<byte[]> CaptureClientHelloAsync(SslProtocols protocols)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using TcpClient server = await listener.AcceptTcpClientAsync();
        using var tls = new SslStream(client.GetStream());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Task handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "gateway.test",
            EnabledSslProtocols = protocols,
        }, cts.Token);

        var buffer = new MemoryStream();
        byte[] chunk = new byte[4096];
        NetworkStream stream = server.GetStream();
        while (buffer.Length < 5 || buffer.Length < 5 + ((buffer.GetBuffer()[3] << 8) | buffer.GetBuffer()[4]))
        {
            int n = await stream.ReadAsync(chunk, cts.Token);
            Assert.True(n > 0, "the client closed before its ClientHello");
            buffer.Write(chunk, 0, n);
        }

        server.Close(); // the handshake fails; only its first record matters
        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
        return buffer.ToArray();
    }
}
