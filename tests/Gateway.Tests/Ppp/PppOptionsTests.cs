using Gateway.Ppp;
using Gateway.Ppp.Auth;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Ppp;

public class PppOptionsTests
{
    [Fact]
    public void Defaults_follow_RFC_1661_and_the_reference()
    {
        var options = new PppOptions();
        Assert.Equal([AuthMethod.MsChapV2, AuthMethod.EapMsChapV2], options.EffectiveAuthMethods);
        Assert.Equal(1400, options.Mru);
        NegotiationTimers timers = options.ToTimers();
        Assert.Equal((3000, 10, 2, 5), (timers.RestartMs, timers.MaxConfigure, timers.MaxTerminate, timers.MaxFailure));
        Assert.Equal(30000, options.AuthenticationTimeoutMs);
        Assert.False(options.Ipv6Enabled);
    }

    [Fact]
    public void Binds_from_the_Ppp_section()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Ppp:AuthMethods:0"] = "EapMsChapV2",
                ["Ppp:AuthMethods:1"] = "Pap",
                ["Ppp:Mru"] = "1452",
                ["Ppp:DnsServers:0"] = "9.9.9.9",
                ["Ppp:Ipv6Enabled"] = "true",
                ["Ppp:RestartTimerMs"] = "2000",
                ["Ppp:MaxFailure"] = "3",
            })
            .Build();
        PppOptions options = configuration.GetSection(PppOptions.SectionName).Get<PppOptions>()!;
        Assert.Equal([AuthMethod.EapMsChapV2, AuthMethod.Pap], options.EffectiveAuthMethods);
        Assert.Equal(1452, options.Mru);
        Assert.Equal(["9.9.9.9"], options.DnsServers);
        Assert.True(options.Ipv6Enabled);
        Assert.Equal(2000, options.ToTimers().RestartMs);
        Assert.Equal(3, options.ToTimers().MaxFailure);
    }

    [Fact]
    public void Invalid_dns_server_is_reported_with_its_key()
    {
        var options = new PppOptions { DnsServers = ["dns.example"] };
        ArgumentException error = Assert.Throws<ArgumentException>(() => new PppServer(options,
            new FakeServerAuthenticatorFactory("alice"), new RecordingSink(), new RecordingServerEvents(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
        Assert.Contains("Ppp:DnsServers", error.Message, StringComparison.Ordinal);
    }
}
