using System.Security.Cryptography.X509Certificates;
using Gateway.Edge;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Edge;

/// <summary>The client-certificate decision of the management listener, without sockets.</summary>
public sealed class ManagementClientCertificatePolicyTests : IDisposable
{
    private readonly X509Certificate2 _ca = TestCertificates.CreateCa("Admin CA");
    private readonly X509Certificate2 _otherCa = TestCertificates.CreateCa("Admin CA"); // same name, other key
    private readonly X509Certificate2 _client;
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public ManagementClientCertificatePolicyTests() => _client = TestCertificates.CreateClient(_ca, "ops-alice");

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
        _client.Dispose();
    }

    [Fact]
    public void CertificateIssuedByTheBundle_IsAccepted()
    {
        var policy = Policy();
        Assert.Equal(ManagementClientCertificateStatus.Accepted, policy.Check(_client, null, _now, out string detail));
        Assert.Equal("", detail);
    }

    [Fact]
    public void NoCertificate_IsMissing()
    {
        Assert.Equal(ManagementClientCertificateStatus.Missing, Policy().Check(null, null, _now, out _));
    }

    [Fact]
    public void CertificateFromAnotherCaWithTheSameName_IsUntrusted()
    {
        using X509Certificate2 foreign = TestCertificates.CreateClient(_otherCa, "ops-alice");
        Assert.Equal(ManagementClientCertificateStatus.Untrusted, Policy().Check(foreign, null, _now, out string detail));
        Assert.NotEqual("", detail); // the chain status flags, for the log
    }

    [Fact]
    public void TheCaBundleIsTheOnlyTrustStore()
    {
        // The client's own CA is not in the bundle: a policy over the other CA refuses it, whatever the system trusts.
        var policy = new ManagementClientCertificatePolicy([_otherCa], [], []);
        Assert.Equal(ManagementClientCertificateStatus.Untrusted, policy.Check(_client, null, _now, out _));
    }

    [Fact]
    public void ValidityIsCheckedAtTheGivenTime()
    {
        var policy = Policy();
        Assert.Equal(ManagementClientCertificateStatus.NotTimeValid, policy.Check(_client, null, _now.AddDays(2), out string after));
        Assert.Contains("NotTimeValid", after, StringComparison.Ordinal);
        Assert.Equal(ManagementClientCertificateStatus.NotTimeValid, policy.Check(_client, null, _now.AddHours(-1), out _));
    }

    [Fact]
    public void ServerAuthOnlyCertificate_IsUntrusted()
    {
        using X509Certificate2 server = TestCertificates.CreateClient(_ca, "ops-alice", serverAuthOnly: true);
        Assert.Equal(ManagementClientCertificateStatus.Untrusted, Policy().Check(server, null, _now, out string detail));
        Assert.Contains("NotValidForUsage", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ops-alice", true)]
    [InlineData("CN=ops-alice, O=Gateway tests", true)]
    [InlineData("ops-bob", false)]
    [InlineData("OPS-ALICE", false)]
    public void SubjectAllowList_MatchesTheCommonNameOrTheWholeSubject(string entry, bool accepted)
    {
        var policy = new ManagementClientCertificatePolicy([_ca], [entry], []);
        Assert.Equal(accepted ? ManagementClientCertificateStatus.Accepted : ManagementClientCertificateStatus.NotAllowed, policy.Check(_client, null, _now, out _));
    }

    [Fact]
    public void ThumbprintAllowList_TakesSha256OrSha1WithSeparators()
    {
        string sha256 = TestCertificates.Sha256Hex(_client);
        string withColons = string.Join(':', Enumerable.Range(0, 32).Select(i => sha256.Substring(i * 2, 2)));
        Assert.Equal(ManagementClientCertificateStatus.Accepted, new ManagementClientCertificatePolicy([_ca], [], [withColons.ToLowerInvariant()]).Check(_client, null, _now, out _));
        Assert.Equal(ManagementClientCertificateStatus.Accepted, new ManagementClientCertificatePolicy([_ca], [], [_client.Thumbprint]).Check(_client, null, _now, out _));

        using X509Certificate2 other = TestCertificates.CreateClient(_ca, "ops-alice");
        var policy = new ManagementClientCertificatePolicy([_ca], ["ops-bob"], [sha256]);
        Assert.Equal(ManagementClientCertificateStatus.NotAllowed, policy.Check(other, null, _now, out string detail));
        Assert.Contains("AllowedClientThumbprints", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abcd")]
    [InlineData("zz00000000000000000000000000000000000000")]
    public void BadThumbprint_FailsAtStart(string thumbprint)
    {
        var error = Assert.Throws<OptionsValidationException>(() => new ManagementClientCertificatePolicy([_ca], [], [thumbprint]));
        Assert.Contains("Edge:Management:Tls:AllowedClientThumbprints:0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyBundle_FailsAtStart()
    {
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => new ManagementClientCertificatePolicy([], [], []));
    }

    private ManagementClientCertificatePolicy Policy() => new([_ca], [], []);
}
