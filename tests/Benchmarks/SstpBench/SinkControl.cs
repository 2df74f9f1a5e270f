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

    /// <summary>Datagrams the sink's kernel dropped at full socket buffers (namespace-wide counter).</summary>
    public long SocketDrops()
    {
        string[] f = Send("STATS").Split(' ');
        return f.Length > 2 ? long.Parse(f[2], CultureInfo.InvariantCulture) : 0;
    }
}
