namespace Interop.Tests;

public sealed class ScenarioEnvTests
{
    [Fact]
    public void QuotesValuesForTheGuestShell()
    {
        var env = InteropVm.ScenarioEnv(new InteropScenario
        {
            TargetHost = "127.0.0.1",
            TargetPort = 8443,
            User = "us'er",
            Password = "p a$s",
            Mode = ClientMode.Plugin,
            Sessions = 4,
            Steps = [GuestStep.Ping(5), GuestStep.Fetch("http://192.168.77.1:8080/file.bin", "abc"), GuestStep.Disconnect],
        });

        Assert.Contains("SERVER='10.0.2.100:443'\n", env, StringComparison.Ordinal);
        Assert.Contains("SSTP_USER='us'\\''er'\n", env, StringComparison.Ordinal);
        Assert.Contains("SSTP_PASS='p a$s'\n", env, StringComparison.Ordinal);
        Assert.Contains("MODE='plugin'\n", env, StringComparison.Ordinal);
        Assert.Contains("SESSIONS='4'\n", env, StringComparison.Ordinal);
        Assert.Contains("PPP_OPTS='" + InteropScenario.DefaultPppOptions + "'\n", env, StringComparison.Ordinal);
        Assert.Contains("STEPS='ping 5\nfetch http://192.168.77.1:8080/file.bin abc\ndisconnect'\n", env, StringComparison.Ordinal);
    }
}
