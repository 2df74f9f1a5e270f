using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Interop.Tests;

public sealed class WanLinkTests
{
    [Fact]
    public async Task Bytes_cross_in_order_after_the_delay_each_way_and_a_half_close_is_passed_on()
    {
        using var target = new TcpListener(IPAddress.Loopback, 0);
        target.Start();
        await using WanLink link = WanLink.Start((IPEndPoint)target.LocalEndpoint, TimeSpan.FromMilliseconds(60));
        byte[] upload = RandomNumberGenerator.GetBytes(1024 * 1024);

        // The target reads to the end (the client's half-close), answers with a digest and closes.
        Task<byte[]> served = Task.Run(async () =>
        {
            using Socket s = await target.AcceptSocketAsync();
            await using var stream = new NetworkStream(s);
            var received = new MemoryStream();
            await stream.CopyToAsync(received);
            byte[] digest = SHA256.HashData(received.ToArray());
            await stream.WriteAsync(digest);
            return received.ToArray();
        });

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(link.EndPoint);
        await using var clientStream = new NetworkStream(client);
        var clock = Stopwatch.StartNew();
        await clientStream.WriteAsync(upload);
        client.Shutdown(SocketShutdown.Send);
        var reply = new MemoryStream();
        await clientStream.CopyToAsync(reply).WaitAsync(TimeSpan.FromSeconds(30));
        TimeSpan roundTrip = clock.Elapsed;

        Assert.Equal(upload, await served);
        Assert.Equal(SHA256.HashData(upload), reply.ToArray());
        Assert.True(roundTrip >= TimeSpan.FromMilliseconds(120), $"round trip {roundTrip.TotalMilliseconds} ms through two 60 ms delays");
        Assert.Equal(1, link.Connections);
    }
}
