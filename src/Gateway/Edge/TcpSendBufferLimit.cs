using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Gateway.Edge;

/// <summary>
/// Bounds the bytes a service-port connection can leave unsent in the kernel (TCP_NOTSENT_LOWAT, Linux 3.12+,
/// tcp(7)). Why: the session's <see cref="Tunnel.EgressQueue"/> (1 MiB, CoDel per flow) only manages what is still in it;
/// once the pump hands bytes to TLS they can wait in Kestrel's transport pipe (<c>SocketTransportOptions
/// .MaxWriteBufferSize</c>, 64 KiB by default) and then in the socket send buffer, which the kernel autotunes up to
/// <c>net.ipv4.tcp_wmem</c>'s maximum (4 MiB here: 64 ms at 0.5 Gbit/s). With the low-water mark set, send() takes no
/// more once that many bytes are queued but not yet sent, so a backlog stays in the egress queue, where CoDel drops
/// it, instead of in a FIFO below it that no one manages. Bytes sent but not yet acknowledged do not count, so the
/// congestion window is unaffected.
/// </summary>
internal static partial class TcpSendBufferLimit
{
    // <netinet/in.h> IPPROTO_TCP; <linux/tcp.h> TCP_NOTSENT_LOWAT.
    private const int IpProtoTcp = 6;
    private const int TcpNotSentLowat = 25;

    /// <summary>
    /// Adds the connection middleware that sets the option on every accepted socket of <paramref name="listen"/>;
    /// nothing when <paramref name="bytes"/> is 0 or less (the kernel default, <c>net.ipv4.tcp_notsent_lowat</c>).
    /// </summary>
    public static void Use(IConnectionBuilder listen, int bytes, ILogger logger)
    {
        if (bytes <= 0)
        {
            return;
        }

        listen.Use(next => context =>
        {
            if (context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket && !TrySet(socket, bytes))
            {
                NotSet(logger, context.ConnectionId, bytes);
            }

            return next(context);
        });
    }

    /// <summary>Sets TCP_NOTSENT_LOWAT; false when the socket or platform has no such option.</summary>
    internal static bool TrySet(Socket socket, int bytes)
    {
        if (socket.ProtocolType != ProtocolType.Tcp || !OperatingSystem.IsLinux())
        {
            return false;
        }

        Span<byte> value = stackalloc byte[sizeof(int)];
        MemoryMarshal.Write(value, in bytes);
        try
        {
            socket.SetRawSocketOption(IpProtoTcp, TcpNotSentLowat, value);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [LoggerMessage(1090, LogLevel.Debug, "Connection {ConnectionId}: could not set TCP_NOTSENT_LOWAT={Bytes}")]
    private static partial void NotSet(ILogger logger, string connectionId, int bytes);
}
