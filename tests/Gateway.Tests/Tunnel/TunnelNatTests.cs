using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

/// <summary>The NAT helper against the real nftables, inside a throw-away namespace.</summary>
public class TunnelNatTests
{
    [Fact]
    public void Adds_masquerade_and_forwarding_then_removes_them()
    {
        TestNetns.EnsureTool("nft", "nftables");
        using var ns = new TestNetns();
        Assert.Equal("0", ns.Exec("cat", "/proc/sys/net/ipv4/ip_forward").StdOut.Trim());

        var nat = TunnelNat.Enable("10.213.11.0/24", "gwt0", ns.Name);
        try
        {
            Assert.Equal("nft", nat.Tool);
            Assert.Equal("sstp_gateway_gwt0", nat.TableName);
            (int exit, string table, string error) = ns.Exec("nft", "list", "table", "ip", "sstp_gateway_gwt0");
            Assert.True(exit == 0, error);
            Assert.Contains("type nat hook postrouting", table);
            Assert.Contains("ip saddr 10.213.11.0/24 oifname != \"gwt0\" masquerade", table);
            Assert.Equal("1", ns.Exec("cat", "/proc/sys/net/ipv4/ip_forward").StdOut.Trim());
            // The host's own namespace is untouched.
            Assert.NotEqual(0, HostCommand.TryRun("nft", "list", "table", "ip", "sstp_gateway_gwt0").ExitCode);
        }
        finally
        {
            nat.Dispose();
        }
        Assert.NotEqual(0, ns.Exec("nft", "list", "table", "ip", "sstp_gateway_gwt0").ExitCode);
        Assert.Equal("0", ns.Exec("cat", "/proc/sys/net/ipv4/ip_forward").StdOut.Trim());
    }

    [Fact]
    public void Enabling_twice_replaces_the_table_instead_of_duplicating_rules()
    {
        TestNetns.EnsureTool("nft", "nftables");
        using var ns = new TestNetns();
        using (TunnelNat.Enable("10.213.12.0/24", "gwt1", ns.Name))
        using (TunnelNat.Enable("10.213.12.0/24", "gwt1", ns.Name))
        {
            string table = ns.Exec("nft", "list", "table", "ip", "sstp_gateway_gwt1").StdOut;
            Assert.Single(table.Split('\n'), line => line.Contains("masquerade"));
        }
        Assert.NotEqual(0, ns.Exec("nft", "list", "table", "ip", "sstp_gateway_gwt1").ExitCode);
    }
}
