using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tunnel;

/// <summary>
/// Optional source NAT for the client pool: enables IPv4 forwarding and masquerades packets from the pool that leave
/// through any interface other than the tunnel. Uses its own nftables table (removed whole on
/// <see cref="Dispose"/>), or an iptables rule tagged with a comment when nft is not installed. Forwarding is
/// restored to its previous value on <see cref="Dispose"/> if this helper turned it on.
/// </summary>
public sealed class TunnelNat : IDisposable
{
    private readonly string _pool;
    private readonly string _device;
    private readonly string? _namespace;
    private readonly string _table;
    private readonly ILogger _logger;
    private readonly bool _restoreForwardingOff;
    private bool _disposed;

    private TunnelNat(string tool, string pool, string device, string? networkNamespace, string table,
        bool restoreForwardingOff, ILogger logger)
    {
        Tool = tool;
        _pool = pool;
        _device = device;
        _namespace = networkNamespace;
        _table = table;
        _restoreForwardingOff = restoreForwardingOff;
        _logger = logger;
    }

    /// <summary>"nft" or "iptables".</summary>
    public string Tool { get; }

    /// <summary>The nftables table holding the rule (when <see cref="Tool"/> is nft).</summary>
    public string TableName => _table;

    /// <summary>Whether nft or iptables is installed.</summary>
    public static bool IsAvailable => HostCommand.Exists("nft") || HostCommand.Exists("iptables");

    /// <summary>
    /// Turns forwarding and masquerading on for <paramref name="poolCidr"/> (packets not leaving via
    /// <paramref name="tunDevice"/>). In <paramref name="networkNamespace"/> when given.
    /// </summary>
    public static TunnelNat Enable(string poolCidr, string tunDevice, string? networkNamespace = null, ILogger? logger = null)
    {
        (uint network, int prefix) = Ipv4AddressPool.ParseCidr(poolCidr);
        string pool = IpPacket.ToIPAddress(network) + "/" + prefix;
        logger ??= NullLogger.Instance;
        string tool = HostCommand.Exists("nft") ? "nft"
            : HostCommand.Exists("iptables") ? "iptables"
            : throw new InvalidOperationException("NAT is on but neither nft nor iptables is installed (apt-get install nftables).");
        // One table per tunnel device, so two gateways on one host do not remove each other's rules.
        string table = "sstp_gateway_" + SanitizeName(tunDevice);

        string forwarding = Exec(networkNamespace, "cat", "/proc/sys/net/ipv4/ip_forward").Trim();
        bool turnedOn = forwarding != "1";
        if (turnedOn)
        {
            Exec(networkNamespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        }
        var nat = new TunnelNat(tool, pool, tunDevice, networkNamespace, table, turnedOn, logger);
        try
        {
            if (tool == "nft")
            {
                nat.RemoveRules();
                Exec(networkNamespace, "nft", "add", "table", "ip", table);
                Exec(networkNamespace, "nft", "add", "chain", "ip", table, "postrouting",
                    "{", "type", "nat", "hook", "postrouting", "priority", "srcnat", ";", "policy", "accept", ";", "}");
                Exec(networkNamespace, "nft", "add", "rule", "ip", table, "postrouting",
                    "ip", "saddr", pool, "oifname", "!=", tunDevice, "masquerade");
            }
            else
            {
                Exec(networkNamespace, "iptables", IptablesRule("-A", pool, tunDevice, table));
            }
        }
        catch
        {
            nat.Dispose();
            throw;
        }
        TunnelLog.NatEnabled(logger, tool, pool);
        return nat;
    }

    /// <summary>Removes the rule (and restores forwarding if this helper enabled it). Errors are logged, not thrown.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            RemoveRules();
            if (_restoreForwardingOff)
            {
                Exec(_namespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=0");
            }
            TunnelLog.NatDisabled(_logger, Tool, _pool);
        }
        catch (HostCommandException e)
        {
            TunnelLog.NatCleanupFailed(_logger, e.Message);
        }
    }

    private void RemoveRules()
    {
        if (Tool == "nft")
        {
            // Deleting a missing table fails; "list" first keeps the log clean.
            if (HostCommand.TryRun(_namespace is null ? "nft" : "ip",
                    _namespace is null ? ["list", "table", "ip", _table] : ["netns", "exec", _namespace, "nft", "list", "table", "ip", _table]).ExitCode == 0)
            {
                Exec(_namespace, "nft", "delete", "table", "ip", _table);
            }
        }
        else
        {
            string[] args = IptablesRule("-D", _pool, _device, _table);
            while (HostCommand.TryRun(_namespace is null ? "iptables" : "ip",
                       _namespace is null ? args : ["netns", "exec", _namespace, "iptables", .. args]).ExitCode == 0)
            {
            }
        }
    }

    private static string[] IptablesRule(string action, string pool, string device, string comment) =>
        ["-t", "nat", action, "POSTROUTING", "-s", pool, "!", "-o", device,
         "-m", "comment", "--comment", comment, "-j", "MASQUERADE"];

    private static string Exec(string? networkNamespace, string file, params string[] arguments) =>
        networkNamespace is null
            ? HostCommand.Run(file, arguments)
            : HostCommand.Run("ip", ["netns", "exec", networkNamespace, file, .. arguments]);

    private static string SanitizeName(string name)
    {
        Span<char> chars = stackalloc char[name.Length];
        for (int i = 0; i < name.Length; i++)
        {
            chars[i] = char.IsAsciiLetterOrDigit(name[i]) ? name[i] : '_';
        }
        return new string(chars);
    }
}
