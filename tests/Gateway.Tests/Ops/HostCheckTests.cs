using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Ops;

/// <summary>scripts/host-check on this machine (the tests run as root, with /dev/net/tun).</summary>
public sealed class HostCheckTests
{
    private static readonly string Script = Path.Combine(K8sManifests.RepositoryRoot(), "scripts", "host-check");

    [Fact]
    public void Reports_the_tun_device_and_NET_ADMIN_as_OK_here()
    {
        Sh.Result r = Sh.Run(Script, "--sessions", "10");
        Assert.Matches(new Regex(@"^OK +tun +/dev/net/tun present and openable$", RegexOptions.Multiline), r.StdOut);
        Assert.Matches(new Regex(@"^OK +cap_net_admin ", RegexOptions.Multiline), r.StdOut);
    }

    [Fact]
    public void Exit_code_is_1_exactly_when_an_item_fails_and_the_summary_counts_them()
    {
        foreach (string sessions in new[] { "10", "100000000" })
        {
            Sh.Result r = Sh.Run(Script, "--sessions", sessions, "--nat");
            int fails = Regex.Matches(r.StdOut, "^FAIL ", RegexOptions.Multiline).Count;
            int warns = Regex.Matches(r.StdOut, "^WARN ", RegexOptions.Multiline).Count;
            Assert.Contains($"host-check: {fails} FAIL, {warns} WARN", r.StdOut);
            Assert.Equal(fails > 0 ? 1 : 0, r.ExitCode);
            // Every item prints one line; every WARN and FAIL is followed by its fix.
            Assert.Equal(fails + warns, Regex.Matches(r.StdOut, @"^ +fix: ", RegexOptions.Multiline).Count);
            Assert.Equal(13, Regex.Matches(r.StdOut, "^(OK|WARN|FAIL) ", RegexOptions.Multiline).Count);
        }
    }

    [Fact]
    public void A_hundred_million_sessions_fail_the_file_descriptor_check()
    {
        Sh.Result r = Sh.Run(Script, "--sessions", "100000000");
        Assert.Matches(new Regex(@"^FAIL +nofile +ulimit -n = \d+ \(hard \d+\) < 200000000 for 100000000 sessions$", RegexOptions.Multiline), r.StdOut);
        Assert.Equal(1, r.ExitCode);
    }

    [Fact]
    public void Ipv6_forwarding_is_reported_and_fails_only_when_ipv6_is_wanted()
    {
        using NetNs ns = NetNs.Create("hc");
        ns.Exec("sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=0").EnsureSuccess("forwarding off");
        Assert.Matches(new Regex(@"^OK +ipv6_forwarding +net.ipv6.conf.all.forwarding = 0 \(needed only with Tunnel:Ipv6Prefix", RegexOptions.Multiline),
            ns.Exec(Script, "--sessions", "10").StdOut);
        Sh.Result wanted = ns.Exec(Script, "--sessions", "10", "--ipv6");
        Assert.Matches(new Regex(@"^FAIL +ipv6_forwarding +net.ipv6.conf.all.forwarding = 0:", RegexOptions.Multiline), wanted.StdOut);
        Assert.Equal(1, wanted.ExitCode);
        ns.Exec("sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1").EnsureSuccess("forwarding on");
        Assert.Matches(new Regex(@"^OK +ipv6_forwarding +net.ipv6.conf.all.forwarding = 1$", RegexOptions.Multiline),
            ns.Exec(Script, "--sessions", "10", "--ipv6").StdOut);
    }

    [Theory]
    [InlineData("--sessions", "0")]
    [InlineData("--sessions", "many")]
    [InlineData("--bogus", "1")]
    public void Bad_arguments_exit_2(string flag, string value)
    {
        Assert.Equal(2, Sh.Run(Script, flag, value).ExitCode);
    }
}
