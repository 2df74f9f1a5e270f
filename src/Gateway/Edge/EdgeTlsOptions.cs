namespace Gateway.Edge;

/// <summary>Configuration section <c>Edge:Tls</c>.</summary>
public sealed class EdgeTlsOptions
{
    /// <summary>PEM certificate (leaf first, chain after) or PFX/PKCS#12 file. Empty: self-signed in the data directory.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key; required with a PEM certificate unless the key is in the same file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>PFX password (PFX only).</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// Optional second certificate (PEM or PFX, like <see cref="CertificatePath"/>) served to clients whose ClientHello
    /// offers TLS 1.3, on TLS 1.3 only; every other client gets <see cref="CertificatePath"/>. Meant for ECDSA P-256:
    /// its signature per full handshake costs a fraction of RSA-2048's, and an ECDSA certificate failed with Windows 10
    /// over TLS 1.2 (reference sec. 9), which therefore keeps the RSA one. Both must be trusted by the clients (e.g.
    /// issued by the same CA). Reloaded together with the main certificate. Needs <see cref="CertificatePath"/>.
    /// </summary>
    public string? Tls13CertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="Tls13CertificatePath"/> unless the key is in the same file.</summary>
    public string? Tls13KeyPath { get; set; }

    /// <summary>PFX password of <see cref="Tls13CertificatePath"/> (PFX only).</summary>
    public string? Tls13CertificatePassword { get; set; }

    /// <summary>How often the certificate files are compared with what is loaded (in addition to FileSystemWatcher).</summary>
    public TimeSpan ReloadCheckInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Also offer ECDHE/RSA AES-CBC-SHA suites on TLS 1.2. Off by default; needed for MikroTik RouterOS clients,
    /// which offer only AES-CBC-SHA (reference sec. 9).
    /// </summary>
    public bool AllowLegacyCbcSuites { get; set; }

    /// <summary>
    /// Leave cipher suites to the platform (OpenSSL's configured CipherString, else .NET's default list, which adds
    /// ECDHE AES-CBC-SHA256/384 suites) instead of the AEAD-only policy. <see cref="AllowLegacyCbcSuites"/> and
    /// <see cref="OpenSslConfig"/> are ignored then.
    /// </summary>
    public bool PlatformCipherSuites { get; set; }

    /// <summary>
    /// Linux: apply the policy as OpenSSL's default (a generated <c>{DataDirectory}/openssl-gateway.cnf</c> that
    /// <c>OPENSSL_CONF</c> points at, set at startup unless the operator set <c>OPENSSL_CONF</c>) rather than as a .NET
    /// CipherSuitesPolicy. .NET on Linux caches its TLS context per certificate, and with it session resumption, only
    /// without a CipherSuitesPolicy (Interop.OpenSsl.cs, <c>cacheSslContext</c>): measured, that is ~10% less gateway
    /// CPU per full session setup and ~40% less with TLS 1.3 resumption. The policy object is dropped only when libssl
    /// confirms a new context gets exactly the policy's suites (<see cref="OpenSslCipherConfig.PlatformDefaultsMatch"/>);
    /// otherwise it stays and only the cache is lost. An operator's OPENSSL_CONF with the same suites works too.
    /// </summary>
    public bool OpenSslConfig { get; set; } = true;

    /// <summary>TLS handshake deadline.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
