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

    /// <summary>TLS handshake deadline.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
