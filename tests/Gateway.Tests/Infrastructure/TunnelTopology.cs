namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The namespaces of a whole-gateway test, each with names and addresses of its own:
/// <code>
///  client ns (TUN of our client) ~~SSTP over loopback~~ gateway process
///  gw ns:   TUN of the gateway, 10.214.K.1/24 (pool 10.214.K.0/24), veth 10.215.K.1/30, ip_forward on
///  srv ns:  veth 10.215.K.2/30, route to the pool via the gateway; the "host behind the gateway"
/// </code>
/// K is random per topology so parallel or leftover runs never collide. Everything is removed on dispose.
/// </summary>
public sealed class TunnelTopology : IDisposable
{
    private readonly List<NetNs> _clients = [];

    public TunnelTopology()
    {
        K = Random.Shared.Next(1, 250);
        Gw = NetNs.Create("gw");
        try
        {
            Srv = NetNs.Create("srv");
            Gw.Link(Srv, $"10.215.{K}.1/30", $"10.215.{K}.2/30");
            Gw.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1").EnsureSuccess("ip_forward");
            Srv.Exec("ip", "route", "add", Pool, "via", $"10.215.{K}.1").EnsureSuccess("route to pool");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int K { get; }

    public NetNs Gw { get; }

    public NetNs Srv { get; } = null!;

    public string Pool => $"10.214.{K}.0/24";

    public string GatewayTunnelAddress => $"10.214.{K}.1";

    public string ServerAddress => $"10.215.{K}.2";

    /// <summary>A namespace for one client's TUN device.</summary>
    public NetNs NewClientNamespace()
    {
        NetNs ns = NetNs.Create("cl");
        _clients.Add(ns);
        return ns;
    }

    public void Dispose()
    {
        foreach (NetNs ns in _clients)
        {
            ns.Dispose();
        }

        Srv?.Dispose();
        Gw.Dispose();
    }
}
