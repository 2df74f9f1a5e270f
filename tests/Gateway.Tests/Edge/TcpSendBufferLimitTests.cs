using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Gateway.Tests.Edge;

/// <summary>
/// Edge:TcpNotSentLowWatermark on the real socket the gateway accepted: found through /proc (the connection's inode in
/// /proc/net/tcp, then the fd of this process that holds it) and read back with getsockopt.
/// </summary>
public class TcpSendBufferLimitTests
{
    private const int IpProtoTcp = 6;
    private const int TcpNotSentLowat = 25;

    [Theory]
    [InlineData(null, 128u * 1024)]
    [InlineData("65536", 65536u)]
    [InlineData("0", 0u)] // 0: not set on the socket, the kernel uses net.ipv4.tcp_notsent_lowat (tcp_notsent_lowat())
    public async Task AcceptedSocket_HasTheConfiguredNotSentLowWatermark(string? configured, uint expected)
    {
        var overrides = new Dictionary<string, string?>();
        if (configured is not null)
        {
            overrides["Edge:TcpNotSentLowWatermark"] = configured;
        }

        await using var host = await EdgeTestHost.StartAsync(overrides);
        var (tcp, tls) = await host.ConnectTlsAsync();
        using (tcp)
        await using (tls)
        {
            uint actual = ServerSideNotSentLowat(host.Service, (IPEndPoint)tcp.Client.LocalEndPoint!);
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>TCP_NOTSENT_LOWAT of this process's socket whose local end is <paramref name="local"/> and remote <paramref name="remote"/>.</summary>
    private static uint ServerSideNotSentLowat(IPEndPoint local, IPEndPoint remote)
    {
        string inode = FindInode(local, remote);
        foreach (string fdPath in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            string? target = new FileInfo(fdPath).LinkTarget;
            if (target == $"socket:[{inode}]")
            {
                int fd = int.Parse(Path.GetFileName(fdPath), CultureInfo.InvariantCulture);
                uint length = sizeof(uint);
                Assert.Equal(0, GetSockOpt(fd, IpProtoTcp, TcpNotSentLowat, out uint value, ref length));
                return value;
            }
        }

        throw new InvalidOperationException($"no fd of this process holds socket inode {inode}");
    }

    /// <summary>proc(5) /proc/net/tcp: "sl local rem st ... inode", addresses as the IPv4 word in host order and the port, in hex.</summary>
    private static string FindInode(IPEndPoint local, IPEndPoint remote)
    {
        string key = Hex(local) + " " + Hex(remote);
        foreach (string line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f[1] + " " + f[2] == key)
            {
                return f[9];
            }
        }

        throw new InvalidOperationException($"no socket {key} in /proc/net/tcp");
    }

    private static string Hex(IPEndPoint endPoint) =>
        BitConverter.ToUInt32(endPoint.Address.GetAddressBytes()).ToString("X8", CultureInfo.InvariantCulture) + ":" +
        endPoint.Port.ToString("X4", CultureInfo.InvariantCulture);

    [DllImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static extern int GetSockOpt(int fd, int level, int name, out uint value, ref uint length);
}
