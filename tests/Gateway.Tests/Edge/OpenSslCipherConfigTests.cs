using System.Diagnostics;
using Gateway.Edge;

namespace Gateway.Tests.Edge;

public class OpenSslCipherConfigTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rendered_configuration_names_exactly_the_policy_suites(bool allowLegacyCbc)
    {
        string text = OpenSslCipherConfig.Render(allowLegacyCbc);
        string cipherString = Value(text, "CipherString");
        string cipherSuites = Value(text, "Ciphersuites");
        Assert.EndsWith(":@SECLEVEL=2", cipherString, StringComparison.Ordinal);

        // The system OpenSSL resolves the names to IANA names: they must be TlsPolicy's suites, no more, no fewer.
        string[] resolved = OpenSslStandardNames(cipherString, cipherSuites);
        string[] expected = [.. TlsPolicy.Suites(allowLegacyCbc).Select(s => s.ToString()).Order(StringComparer.Ordinal)];
        Assert.Equal(expected, resolved.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Length, OpenSslCipherConfig.Suites(allowLegacyCbc).Count);
    }

    [Fact]
    public void Install_writes_the_file_only_when_the_operator_has_not_set_OPENSSL_CONF()
    {
        string dir = Path.Combine(Path.GetTempPath(), "gw-opensslconf-" + Guid.NewGuid().ToString("N"));
        string? before = Environment.GetEnvironmentVariable("OPENSSL_CONF");
        try
        {
            Environment.SetEnvironmentVariable("OPENSSL_CONF", "/nonexistent/operator.cnf");
            Assert.False(OpenSslCipherConfig.TryInstall(dir, allowLegacyCbc: false));
            Assert.False(File.Exists(Path.Combine(dir, OpenSslCipherConfig.FileName)));
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPENSSL_CONF", before);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static string Value(string config, string key)
    {
        string line = config.Split('\n').Single(l => l.TrimStart().StartsWith(key + " =", StringComparison.Ordinal));
        return line[(line.IndexOf('=') + 1)..].Trim();
    }

    private static string[] OpenSslStandardNames(string cipherString, string cipherSuites)
    {
        var psi = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "ciphers", "-stdname", "-s", "-ciphersuites", cipherSuites, cipherString })
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2)[0])];
    }
}
