using System.Net.Sockets;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

/// <summary>
/// A throw-away network namespace named gwtest-tun-RANDOM, deleted on <see cref="Dispose"/> (which also deletes
/// every device still in it). Tests use 10.213.0.0/16 addresses only.
/// </summary>
internal sealed class TestNetns : IDisposable
{
    public TestNetns()
    {
        Name = "gwtest-tun-" + Guid.NewGuid().ToString("N")[..8];
        HostCommand.Run("ip", "netns", "add", Name);
        try
        {
            HostCommand.Run("ip", "-n", Name, "link", "set", "lo", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    /// <summary>A random interface name that fits IFNAMSIZ.</summary>
    public static string DeviceName() => "gwt" + Guid.NewGuid().ToString("N")[..6];

    /// <summary>A socket created inside the namespace (a socket stays in the namespace it was created in).</summary>
    public Socket CreateSocket(SocketType type, ProtocolType protocol) =>
        TunDevice.RunInNamespace(Name, () => new Socket(AddressFamily.InterNetwork, type, protocol));

    /// <summary>Runs a command inside the namespace.</summary>
    public (int ExitCode, string StdOut, string StdErr) Exec(params string[] command) =>
        HostCommand.TryRun("ip", ["netns", "exec", Name, .. command]);

    /// <summary>Installs a Debian package when <paramref name="tool"/> is missing.</summary>
    public static void EnsureTool(string tool, string package)
    {
        // Test classes run in parallel; apt-get holds the dpkg lock, so installs go one at a time.
        lock (InstallLock)
        {
            if (HostCommand.Exists(tool))
            {
                return;
            }
            HostCommand.TryRun("apt-get", "update");
            HostCommand.Run("apt-get", "install", "-y", package);
        }
    }

    private static readonly object InstallLock = new();

    public void Dispose() => HostCommand.TryRun("ip", "netns", "del", Name);
}
