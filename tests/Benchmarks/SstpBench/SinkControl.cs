using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace SstpBench;

/// <summary>Client side of the sink's Unix control socket (see <see cref="SinkMode"/>).</summary>
internal sealed class SinkControl(string path)
{
    public string Path { get; } = path;

    public bool Available => File.Exists(Path);

    public string Send(string command)
    {
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Connect(new UnixDomainSocketEndPoint(Path));
        s.Send(Encoding.ASCII.GetBytes(command + "\n"));
        var buffer = new byte[256];
        int n = s.Receive(buffer);
        return Encoding.ASCII.GetString(buffer, 0, n).Trim();
    }

    public (long Packets, long Bytes) Stats()
    {
        string[] f = Send("STATS").Split(' ');
        return (long.Parse(f[0], CultureInfo.InvariantCulture), long.Parse(f[1], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The sink namespace's kernel UDP counters: datagrams that arrived (InDatagrams + RcvbufErrors, whether or not the
    /// sink process managed to read them) and those dropped at the sink's full socket buffer.
    /// </summary>
    public (long Arrived, long SocketDrops) Kernel()
    {
        string[] f = Send("STATS").Split(' ');
        long drops = long.Parse(f[2], CultureInfo.InvariantCulture);
        return (long.Parse(f[3], CultureInfo.InvariantCulture) + drops, drops);
    }
}
