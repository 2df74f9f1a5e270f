using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Interop.Tests;

/// <summary>
/// A TCP relay on 127.0.0.1 that forwards every connection to a target and holds each chunk for a fixed one-way
/// delay in both directions, like a WAN path between the guest and the gateway.
/// </summary>
/// <remarks>
/// Why: over qemu's loopback forward the gateway answers a ClientHello within about a millisecond, so the emulated
/// client often finds the whole TLS handshake already readable the first time it reads. sstpc 1.0.18 then
/// completes its handshake and its HTTP request inside one write and never arms its receive event: in plugin mode it
/// hangs without reading the HTTP 200 (tests/Interop/README.md, "the plugin-mode hang"). A real client is at least a
/// network round trip away from its gateway, which closes that window; the link restores that distance. Order is
/// kept per direction, and a half-close is passed on after the same delay.
/// </remarks>
public sealed class WanLink : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly TimeSpan _delay;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    private WanLink(IPEndPoint target, TimeSpan oneWayDelay)
    {
        _target = target;
        _delay = oneWayDelay;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _accepting = AcceptLoopAsync();
    }

    /// <summary>Where clients connect (127.0.0.1 and a free port).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public static WanLink Start(IPEndPoint target, TimeSpan oneWayDelay) => new(target, oneWayDelay);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (client)
        {
            client.NoDelay = true;
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
                await Task.WhenAll(PumpAsync(client, server), PumpAsync(server, client));
            }
            catch (Exception)
            {
                // A reset or the link's disposal ends both directions; the peers see the connection close.
            }
        }
    }

    /// <summary>Copies <paramref name="from"/> to <paramref name="to"/>, each chunk written <see cref="_delay"/> after it was read.</summary>
    private async Task PumpAsync(Socket from, Socket to)
    {
        var chunks = Channel.CreateUnbounded<(long Due, byte[]? Data, int Length)>(new() { SingleReader = true, SingleWriter = true });
        Task writer = WriteAsync(chunks.Reader, to);
        try
        {
            while (true)
            {
                var buffer = new byte[64 * 1024];
                int n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                long due = Stopwatch.GetTimestamp() + (long)(_delay.TotalSeconds * Stopwatch.Frequency);
                chunks.Writer.TryWrite((due, n == 0 ? null : buffer, n));
                if (n == 0)
                {
                    break;
                }
            }
        }
        catch (Exception)
        {
            to.Close();
            throw;
        }
        finally
        {
            chunks.Writer.TryComplete();
            await writer;
        }
    }

    private async Task WriteAsync(ChannelReader<(long Due, byte[]? Data, int Length)> chunks, Socket to)
    {
        try
        {
            await foreach ((long due, byte[]? data, int length) in chunks.ReadAllAsync(_stop.Token))
            {
                TimeSpan wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _stop.Token);
                }

                if (data is null)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(data.AsMemory(0, length), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception)
        {
            to.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
