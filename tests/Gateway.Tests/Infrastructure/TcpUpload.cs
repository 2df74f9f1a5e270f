using System.Globalization;
using System.Security.Cryptography;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A TCP upload between two namespaces with python3: a receiver in <c>to</c> that counts and hashes what arrives, a
/// sender in <c>from</c> that connects (retrying while the route comes up) and sends a file. Used to push bulk TCP
/// through a tunnel and check that every byte arrived.
/// </summary>
public static class TcpUpload
{
    /// <summary>Sends <paramref name="data"/> from <paramref name="from"/> to <paramref name="server"/>:<paramref name="port"/>
    /// in <paramref name="to"/>; <paramref name="started"/> runs once the receiver listens (e.g. to read counters).
    /// Returns the byte count and lowercase hex SHA-256 the receiver saw.</summary>
    public static async Task<(long Bytes, string Sha256)> RunAsync(NetNs from, NetNs to, string server, int port, byte[] data,
        Action? started = null)
    {
        string file = Path.Combine(Path.GetTempPath(), "gwtest-upload-" + Guid.NewGuid().ToString("N")[..8]);
        await File.WriteAllBytesAsync(file, data);
        try
        {
            var receiver = to.ExecAsync(TimeSpan.FromMinutes(2), "python3", "-c",
                "import socket, hashlib\n" +
                "l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n" +
                $"l.bind(('{server}', {port})); l.listen(1); l.settimeout(60)\n" +
                "c, _ = l.accept(); c.settimeout(60); h = hashlib.sha256(); n = 0\n" +
                "while True:\n" +
                "    d = c.recv(1 << 20)\n" +
                "    if not d: break\n" +
                "    h.update(d); n += len(d)\n" +
                "print(n, h.hexdigest())\n");
            await Task.Delay(500); // let the listener bind
            started?.Invoke();
            var sender = await from.ExecAsync(TimeSpan.FromMinutes(2), "python3", "-c",
                "import socket, time\n" +
                "for i in range(50):\n" +
                "    try:\n" +
                $"        s = socket.create_connection(('{server}', {port}), timeout=5); break\n" +
                "    except OSError: time.sleep(0.2)\n" +
                $"s.settimeout(60); s.sendall(open('{file}', 'rb').read()); s.shutdown(socket.SHUT_WR); s.recv(1)\n");
            if (sender.ExitCode != 0)
            {
                throw new InvalidOperationException("upload sender failed: " + sender.StdErr);
            }
            var received = await receiver;
            if (received.ExitCode != 0)
            {
                throw new InvalidOperationException("upload receiver failed: " + received.StdErr);
            }
            string[] result = received.StdOut.Trim().Split(' ');
            return (long.Parse(result[0], CultureInfo.InvariantCulture), result[1]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Lowercase hex SHA-256, as the receiver prints it.</summary>
    public static string Sha256(byte[] data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();
}
