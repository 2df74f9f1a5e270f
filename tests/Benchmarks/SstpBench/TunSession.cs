using System.Net;
using System.Runtime.InteropServices;
using Client;
using Gateway.Tunnel;

namespace SstpBench;

/// <summary>
/// One tunnel session joined to the kernel: a client network namespace of its own (unique name), a TUN device in it
/// with the session's address, and a route to the sink through it, so that ordinary programs (iperf3) run through the
/// tunnel with `ip netns exec`. The namespace is removed on <see cref="Dispose"/> and, should the process be stopped
/// by SIGINT/SIGTERM/SIGHUP first, from the signal handler.
/// </summary>
internal sealed class TunSession : IDisposable
{
    private readonly List<PosixSignalRegistration> _signals = [];
    private TunDevice? _tun;
    private int _disposed;

    private TunSession(string netns)
    {
        Netns = netns;
        foreach (PosixSignal signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            // Remove the namespace, then let the signal end the process as it would have.
            _signals.Add(PosixSignalRegistration.Create(signal, _ => DeleteNamespace()));
        }
    }

    public string Netns { get; }

    /// <summary>The session's TUN device (its read and super-packet counters).</summary>
    public TunDevice Device => _tun!;

    /// <summary>
    /// Creates namespace <paramref name="netns"/> (default `sstpb-PID`), a TUN device <paramref name="device"/> in it
    /// with the session's address, the route to <paramref name="sink"/>, and attaches <paramref name="client"/> to the
    /// device (<see cref="SstpTunnelClient.OpenTun"/>: MTU at most the server's MRU, offloads per the client's settings).
    /// </summary>
    public static TunSession Attach(SstpTunnelClient client, IPAddress sink, string? netns, int mtu, string device = "sstpb0")
    {
        string name = netns ?? $"sstpb-{Environment.ProcessId}";
        HostCommand.Run("ip", "netns", "add", name);
        var session = new TunSession(name);
        try
        {
            HostCommand.Run("ip", "-n", name, "link", "set", "lo", "up");
            session._tun = client.OpenTun(device, mtu, name);
            HostCommand.Run("ip", "-n", name, "route", "add", sink + "/32", "dev", session._tun.Name);
            Console.Error.WriteLine($"  session {client.Address} on TUN {session._tun.Name} (MTU {session._tun.Mtu}, offloads {session._tun.Offloads}) in namespace {name}, route {sink}/32");
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Closes the TUN device and removes the namespace. Dispose the session's client first.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _tun?.Dispose();
        DeleteNamespace();
        foreach (PosixSignalRegistration r in _signals)
        {
            r.Dispose();
        }
    }

    private void DeleteNamespace()
    {
        if (File.Exists("/run/netns/" + Netns))
        {
            HostCommand.TryRun("ip", "netns", "del", Netns);
        }
    }
}
