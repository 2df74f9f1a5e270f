using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests.Edge;

/// <summary>
/// Hand-built TLS ClientHello (RFC 5246 7.4.1.2) so the tests can offer exactly one protocol version and set of suites,
/// independent of what the local client library is willing to send.
/// </summary>
internal static class TlsClientHello
{
    public const ushort Tls11 = 0x0302;
    public const ushort Tls12 = 0x0303;

    public static readonly ushort[] AeadSuites = [0xC02F, 0xC030, 0xCCA8];      // ECDHE_RSA AES128/256-GCM, CHACHA20
    public static readonly ushort[] CbcSuites = [0xC013, 0xC014, 0x002F, 0x0035]; // ECDHE_RSA AES-CBC-SHA, RSA AES-CBC-SHA

    public static byte[] Build(ushort version, ushort[] suites)
    {
        var body = new List<byte> { (byte)(version >> 8), (byte)version };
        body.AddRange(new byte[32]); // random
        body.Add(0); // session id
        body.Add((byte)((suites.Length * 2) >> 8));
        body.Add((byte)(suites.Length * 2));
        foreach (ushort suite in suites)
        {
            body.Add((byte)(suite >> 8));
            body.Add((byte)suite);
        }

        body.AddRange([1, 0]); // null compression
        byte[] extensions =
        [
            0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x17,                         // supported_groups: x25519, P-256
            0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,                                                 // ec_point_formats: uncompressed
            0x00, 0x0d, 0x00, 0x0a, 0x00, 0x08, 0x08, 0x04, 0x04, 0x01, 0x05, 0x01, 0x02, 0x01, // signature_algorithms
        ];
        body.Add((byte)(extensions.Length >> 8));
        body.Add((byte)extensions.Length);
        body.AddRange(extensions);

        var handshake = new List<byte> { 0x01, 0, (byte)(body.Count >> 8), (byte)body.Count };
        handshake.AddRange(body);
        var record = new List<byte> { 0x16, 0x03, 0x01, (byte)(handshake.Count >> 8), (byte)handshake.Count };
        record.AddRange(handshake);
        return [.. record];
    }

    /// <summary>Sends the hello and returns the first record header plus the first body bytes (type, version, first bytes).</summary>
    public static async Task<byte[]> ExchangeAsync(IPEndPoint server, byte[] hello)
    {
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(server);
        NetworkStream stream = tcp.GetStream();
        await stream.WriteAsync(hello);
        var answer = new byte[11];
        int total = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (total < answer.Length)
        {
            int n = await stream.ReadAsync(answer.AsMemory(total), cts.Token);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return answer[..total];
    }
}
