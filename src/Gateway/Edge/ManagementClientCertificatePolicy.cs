using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Gateway.Edge;

/// <summary>
/// Decides whether a management client certificate is accepted: it must chain to one of the configured CA
/// certificates (a custom trust store, never the system one), be valid at the given time, be usable for client
/// authentication (EKU id-kp-clientAuth, RFC 5280 4.2.1.12, when the certificate limits its usage), and match the
/// allow lists when they are set. Immutable; a changed CA bundle makes a new instance.
/// </summary>
internal sealed class ManagementClientCertificatePolicy
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    private readonly X509Certificate2Collection _anchors;
    private readonly string[] _subjects;
    private readonly byte[][] _thumbprints;

    public ManagementClientCertificatePolicy(X509Certificate2Collection anchors, IReadOnlyList<string> subjects, IReadOnlyList<string> thumbprints)
    {
        if (anchors.Count == 0)
        {
            throw new CryptographicException("the client CA bundle holds no certificate");
        }

        _anchors = anchors;
        _subjects = [.. subjects];
        _thumbprints = new byte[thumbprints.Count][];
        for (int i = 0; i < thumbprints.Count; i++)
        {
            _thumbprints[i] = ParseThumbprint(thumbprints[i])
                ?? throw new OptionsValidationException(EdgeOptions.SectionName, typeof(EdgeOptions),
                    [$"Edge:Management:Tls:AllowedClientThumbprints:{i}: expected the hex SHA-256 (64 digits) or SHA-1 (40 digits) of a certificate"]);
        }
    }

    /// <summary>Number of CA certificates trusted (for the log).</summary>
    public int AnchorCount => _anchors.Count;

    /// <summary>Loads a PEM bundle: every certificate in the file is a trust anchor.</summary>
    public static X509Certificate2Collection LoadBundle(string path)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPemFile(path);
        return bundle;
    }

    /// <param name="certificate">What the client presented; null when it sent none.</param>
    /// <param name="intermediates">Further certificates the client sent (untrusted, only to build the path).</param>
    /// <param name="now">Validity is checked at this time.</param>
    /// <param name="detail">Chain status for the log when refused.</param>
    public ManagementClientCertificateStatus Check(X509Certificate2? certificate, X509Certificate2Collection? intermediates, DateTimeOffset now, out string detail)
    {
        if (certificate is null)
        {
            detail = "none sent";
            return ManagementClientCertificateStatus.Missing;
        }

        detail = "";

        using var chain = new X509Chain();
        X509ChainPolicy policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(_anchors);
        policy.RevocationMode = X509RevocationMode.NoCheck; // no CRL/OCSP endpoints on a private admin CA
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = now.UtcDateTime;
        policy.VerificationTimeIgnored = false;
        policy.ApplicationPolicy.Add(ClientAuthentication);
        if (intermediates is not null)
        {
            policy.ExtraStore.AddRange(intermediates);
        }

        if (!chain.Build(certificate))
        {
            X509ChainStatusFlags flags = X509ChainStatusFlags.NoError;
            foreach (X509ChainStatus status in chain.ChainStatus)
            {
                flags |= status.Status;
            }

            detail = flags.ToString();
            return (flags & X509ChainStatusFlags.NotTimeValid) != 0
                ? ManagementClientCertificateStatus.NotTimeValid
                : ManagementClientCertificateStatus.Untrusted;
        }

        if (_subjects.Length == 0 && _thumbprints.Length == 0)
        {
            return ManagementClientCertificateStatus.Accepted;
        }

        string commonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        foreach (string subject in _subjects)
        {
            if (string.Equals(subject, certificate.Subject, StringComparison.Ordinal) || string.Equals(subject, commonName, StringComparison.Ordinal))
            {
                return ManagementClientCertificateStatus.Accepted;
            }
        }

        Span<byte> sha256 = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> sha1 = stackalloc byte[SHA1.HashSizeInBytes];
        SHA256.HashData(certificate.RawDataMemory.Span, sha256);
        SHA1.HashData(certificate.RawDataMemory.Span, sha1);
        foreach (byte[] thumbprint in _thumbprints)
        {
            if (thumbprint.AsSpan().SequenceEqual(thumbprint.Length == sha256.Length ? sha256 : sha1))
            {
                return ManagementClientCertificateStatus.Accepted;
            }
        }

        detail = "not in Edge:Management:Tls:AllowedClientSubjects / AllowedClientThumbprints";
        return ManagementClientCertificateStatus.NotAllowed;
    }

    private static byte[]? ParseThumbprint(string text)
    {
        string compact = text.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (compact.Length is not (64 or 40))
        {
            return null;
        }

        try
        {
            return Convert.FromHexString(compact);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
