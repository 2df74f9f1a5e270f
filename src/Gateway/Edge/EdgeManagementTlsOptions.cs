namespace Gateway.Edge;

/// <summary>Configuration section <c>Edge:Management:Tls</c>: HTTPS and client certificates on the management listener.</summary>
public sealed class EdgeManagementTlsOptions
{
    /// <summary>Serve the management listener over TLS 1.2/1.3 (HTTP/1.1) instead of plain HTTP.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// PEM certificate (leaf first, chain after) or PFX for the management listener. Empty: the service certificate
    /// (<c>Edge:Tls</c>, self-signed when none is configured), following its hot reloads.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key for <see cref="CertificatePath"/> unless the key is in the same file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>PFX password (PFX only).</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// Refuse the TLS handshake unless the client presents a valid certificate that chains to <see cref="ClientCaPath"/>
    /// (and matches the allow lists when they are set). Default true when TLS is enabled; false gives server-only TLS.
    /// </summary>
    public bool RequireClientCertificate { get; set; } = true;

    /// <summary>
    /// PEM bundle of the CA certificates that issue admin client certificates. Every certificate in it is a trust
    /// anchor; the system trust store is not used. Required with <see cref="RequireClientCertificate"/>; re-read when
    /// the file changes (checked every <c>Edge:Tls:ReloadCheckInterval</c>).
    /// </summary>
    public string? ClientCaPath { get; set; }

    /// <summary>
    /// When this or <see cref="AllowedClientThumbprints"/> is non-empty, a trusted client certificate must also match
    /// one entry of either list. An entry matches the certificate's subject common name, or its whole subject as .NET
    /// formats it (<c>CN=ops, O=Example</c>); case-sensitive.
    /// </summary>
    public List<string> AllowedClientSubjects { get; set; } = [];

    /// <summary>Hex SHA-256 (or SHA-1) fingerprints of allowed client certificates; colons and spaces are ignored.</summary>
    public List<string> AllowedClientThumbprints { get; set; } = [];
}
