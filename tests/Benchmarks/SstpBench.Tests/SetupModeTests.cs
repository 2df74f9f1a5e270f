using SstpBench;

namespace SstpBench.Tests;

public class SetupModeTests
{
    private static readonly Target Gateway = new(new BenchOptions(["setup", "--server", "10.0.0.1:443", "--user", "u", "--password", "p"]));

    [Fact]
    public void Fresh_names_keep_the_session_cache_on_with_a_server_name_no_connect_has_used_before()
    {
        var first = SetupMode.Settings(Gateway, allowResume: false, freshNames: true);
        var second = SetupMode.Settings(Gateway, allowResume: false, freshNames: true);

        // AllowTlsResume keeps .NET's cached client SSL_CTX; the new name leaves it no session to offer.
        Assert.True(first.AllowTlsResume);
        Assert.True(second.AllowTlsResume);
        Assert.NotEqual(first.ServerName, second.ServerName);
        Assert.EndsWith(".sstp-bench.target", first.ServerName, StringComparison.Ordinal);
        Assert.Equal("10.0.0.1", first.Host);
    }

    [Fact]
    public void No_resume_turns_dotnet_resumption_off_and_resume_on_reuses_one_name()
    {
        var noResume = SetupMode.Settings(Gateway, allowResume: false, freshNames: false);
        Assert.False(noResume.AllowTlsResume);
        Assert.Equal("sstp-bench.target", noResume.ServerName);

        var resume1 = SetupMode.Settings(Gateway, allowResume: true, freshNames: true);
        var resume2 = SetupMode.Settings(Gateway, allowResume: true, freshNames: true);
        Assert.True(resume1.AllowTlsResume);
        Assert.Equal("sstp-bench.target", resume1.ServerName);
        Assert.Equal(resume1.ServerName, resume2.ServerName);
    }
}
