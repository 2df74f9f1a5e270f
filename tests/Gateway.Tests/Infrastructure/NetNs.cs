namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A network namespace owned by one test: unique name, removed on dispose even when the test failed (deleting the
/// namespace also removes the veth ends and TUN devices inside it).
/// </summary>
public sealed class NetNs : IDisposable
{
    private NetNs(string name) => Name = name;

    public string Name { get; }

    /// <summary>Creates <c>gwt-{prefix}-{random}</c> (at most 15 characters kept for derived device names) with lo up.</summary>
    public static NetNs Create(string prefix)
    {
        string name = $"gwt-{prefix}-{Random.Shared.Next(0x10000):x4}";
        Sh.Run("ip", "netns", "add", name).EnsureSuccess("ip netns add " + name);
        var ns = new NetNs(name);
        try
        {
            ns.Exec("ip", "link", "set", "lo", "up").EnsureSuccess("lo up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }

        return ns;
    }

    /// <summary>Runs a command inside the namespace.</summary>
    public Sh.Result Exec(string file, params string[] args) => Sh.Run("ip", ["netns", "exec", Name, file, .. args]);

    public Task<Sh.Result> ExecAsync(TimeSpan timeout, string file, params string[] args) =>
        Sh.RunAsync(timeout, "ip", ["netns", "exec", Name, file, .. args]);

    /// <summary>Starts a long-running command inside the namespace.</summary>
    public System.Diagnostics.Process Start(string file, params string[] args) =>
        Sh.Start("ip", ["netns", "exec", Name, file, .. args]);

    /// <summary>
    /// Joins this namespace to <paramref name="other"/> with a veth pair: <paramref name="address"/> here,
    /// <paramref name="otherAddress"/> there (both with prefix, e.g. "10.214.250.1/30").
    /// </summary>
    public void Link(NetNs other, string address, string otherAddress)
    {
        string a = "v" + Random.Shared.Next(0x1000000).ToString("x6") + "a";
        string b = a[..^1] + "b";
        Sh.Run("ip", "link", "add", a, "netns", Name, "type", "veth", "peer", "name", b, "netns", other.Name)
            .EnsureSuccess("veth");
        Exec("ip", "addr", "add", address, "dev", a).EnsureSuccess("veth address");
        Exec("ip", "link", "set", a, "up").EnsureSuccess("veth up");
        other.Exec("ip", "addr", "add", otherAddress, "dev", b).EnsureSuccess("veth address");
        other.Exec("ip", "link", "set", b, "up").EnsureSuccess("veth up");
    }

    public void Dispose() => Sh.Run("ip", "netns", "delete", Name);
}
