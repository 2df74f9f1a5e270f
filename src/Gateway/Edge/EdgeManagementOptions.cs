namespace Gateway.Edge;

/// <summary>Configuration section <c>Edge:Management</c>: TLS with client certificates on the management listener, and plain probe listeners.</summary>
public sealed class EdgeManagementOptions
{
    /// <summary>TLS and the client-certificate policy of <see cref="EdgeOptions.ManagementListen"/> (off by default: plain HTTP).</summary>
    public EdgeManagementTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// Plain-HTTP listeners (<c>address:port</c>) that answer <c>/healthz</c> and <c>/readyz</c> only (everything else
    /// 404). Empty by default. For probes that cannot present a client certificate (the kubelet, cloud balancers) once
    /// the management listener requires one: the TLS handshake comes before the request path, so the management
    /// listener itself cannot exempt probe paths without accepting certificate-less connections.
    /// </summary>
    public List<string> ProbeListen { get; set; } = [];
}
