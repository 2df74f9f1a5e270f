using System.Net.Security;

namespace Gateway.Edge;

/// <summary>Cipher suites for the service port: AEAD only unless legacy CBC is opted in (reference sec. 9).</summary>
internal static class TlsPolicy
{
    private static readonly TlsCipherSuite[] Aead =
    [
        // TLS 1.3 (RFC 8446 B.4)
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,

        // TLS 1.2 ECDHE + AEAD (RFC 5289, RFC 7905)
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    /// <summary>AES-CBC-SHA suites, the only ones MikroTik RouterOS offers (reference sec. 9).</summary>
    private static readonly TlsCipherSuite[] LegacyCbc =
    [
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA,
        TlsCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA,
    ];

    public static IReadOnlyList<TlsCipherSuite> Suites(bool allowLegacyCbc) => allowLegacyCbc ? [.. Aead, .. LegacyCbc] : Aead;

    /// <summary>Null where the platform has no CipherSuitesPolicy (Windows): the OS policy applies there.</summary>
    public static CipherSuitesPolicy? CreateCipherSuitesPolicy(bool allowLegacyCbc)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        return new CipherSuitesPolicy(Suites(allowLegacyCbc));
    }

    public static bool IsAead(TlsCipherSuite suite) => Array.IndexOf(Aead, suite) >= 0;
}
