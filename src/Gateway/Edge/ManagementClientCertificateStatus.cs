namespace Gateway.Edge;

/// <summary>Outcome of <see cref="ManagementClientCertificatePolicy.Check"/>.</summary>
internal enum ManagementClientCertificateStatus
{
    Accepted,

    /// <summary>The client sent no certificate (TLS 1.3: an empty Certificate message, RFC 8446 4.4.2.4).</summary>
    Missing,

    /// <summary>Outside its validity period (or a chain certificate is).</summary>
    NotTimeValid,

    /// <summary>Does not chain to the configured CA bundle, or the chain is invalid otherwise (signature, usage, constraints).</summary>
    Untrusted,

    /// <summary>Trusted, but matches neither allow list.</summary>
    NotAllowed,
}
