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

    /// <summary>How often the certificate files are compared with what is loaded (in addition to FileSystemWatcher).</summary>
    public TimeSpan ReloadCheckInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Also offer ECDHE/RSA AES-CBC-SHA suites on TLS 1.2. Off by default; needed for MikroTik RouterOS clients,
    /// which offer only AES-CBC-SHA (reference sec. 9).
    /// </summary>
    public bool AllowLegacyCbcSuites { get; set; }

    /// <summary>
    /// Leave cipher suites to the platform (OpenSSL's configured CipherString, else .NET's default list, which adds
    /// ECDHE AES-CBC-SHA256/384 suites) instead of the AEAD-only policy. This is the switch for TLS session resumption:
    /// .NET on Linux caches and resumes TLS sessions only when no CipherSuitesPolicy is set (Interop.OpenSsl.cs,
    /// <c>cacheSslContext</c>). To get both AEAD-only and resumption, set this and restrict the suites in openssl.cnf
    /// (OPENSSL_CONF, e.g. <c>CipherString = ECDHE+AESGCM:ECDHE+CHACHA20</c>). <see cref="AllowLegacyCbcSuites"/> is ignored then.
    /// </summary>
    public bool PlatformCipherSuites { get; set; }

    /// <summary>TLS handshake deadline.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
