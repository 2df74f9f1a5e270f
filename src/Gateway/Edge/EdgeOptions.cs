namespace Gateway.Edge;

/// <summary>
/// Configuration section <c>Edge</c>: listeners, TLS, PROXY protocol, SSTP request sniffing and the fallback.
/// Defaults live here, not in appsettings.json.
/// </summary>
public sealed class EdgeOptions
{
    public const string SectionName = "Edge";

    /// <summary>
    /// SSTP/HTTPS listeners as <c>address:port</c>. <c>[::]</c> is bound IPv6-only (IPV6_V6ONLY), so list
    /// both wildcards for dual stack. Port 0 picks an ephemeral port (tests).
    /// </summary>
    public List<string> Listen { get; set; } = [];

    /// <summary>
    /// Management listeners (/healthz, /readyz, admin API, metrics): plain HTTP, or HTTPS with client certificates
    /// when <c>Edge:Management:Tls:Enabled</c> (<see cref="Management"/>).
    /// </summary>
    public List<string> ManagementListen { get; set; } = [];

    /// <summary>No TLS on our socket (behind a TLS-terminating load balancer, MS-SSTP product note &lt;19&gt;).</summary>
    public bool HttpOnly { get; set; }

    /// <summary>HTTP-only mode: hex SHA-256 of the certificate the client sees at the front end (crypto binding).</summary>
    public string? HttpOnlyCertificateSha256 { get; set; }

    /// <summary>HTTP-only mode: hex SHA-1 of the certificate the client sees at the front end (crypto binding).</summary>
    public string? HttpOnlyCertificateSha1 { get; set; }

    /// <summary>Cap on the SSTP_DUPLEX_POST request head (request line + headers + blank line).</summary>
    public int MaxRequestHeadBytes { get; set; } = 8 * 1024;

    /// <summary>Deadline for the first request head after TLS (MS-SSTP 4.1: the client itself waits 60 s).</summary>
    public TimeSpan RequestHeadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Value of the <c>Server</c> header on the SSTP 200 answer and on edge error answers.</summary>
    public string ServerHeader { get; set; } = "Microsoft-HTTPAPI/2.0";

    /// <summary>Start in draining mode: SSTP_DUPLEX_POST is answered 503 (runtime changes go through <see cref="AdmissionControl"/>).</summary>
    public bool Draining { get; set; }

    /// <summary>Retry-After seconds on the 503 answer while draining.</summary>
    public int DrainingRetryAfterSeconds { get; set; } = 30;

    /// <summary>Probe path on the service port for L4 balancers: 200 when accepting sessions, 503 otherwise.</summary>
    public string ProbePath { get; set; } = "/sstp-health";

    /// <summary>
    /// TCP_NOTSENT_LOWAT on service-port connections, in bytes: how much the kernel may hold unsent per connection
    /// below the session's egress queue (latency under load). 0 leaves the kernel default
    /// (<c>net.ipv4.tcp_notsent_lowat</c>, unlimited unless changed). See <see cref="TcpSendBufferLimit"/>.
    /// </summary>
    public int TcpNotSentLowWatermark { get; set; } = 128 * 1024;

    /// <summary>
    /// Kestrel's <c>SocketTransportOptions.UnsafePreferInlineScheduling</c>: socket sends and receives continue on the
    /// thread that completed them instead of being handed to Kestrel's I/O queues, one thread-pool hop fewer per TLS
    /// record each way. The gateway never blocks on those threads (every wait is awaited), which is the option's
    /// condition; the runtime's own socket completions still run on the thread pool (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS
    /// is not set). Measured: TCP download through one session 0.52-0.59 -> 1.08-1.32 Gbit/s, 13-14 -> 5-6.5 gateway
    /// CPU s/GB (docs/benchmarks.md section 8). Read at startup.
    /// </summary>
    public bool InlineSocketScheduling { get; set; } = true;

    /// <summary>
    /// Block size, in bytes, of the memory pool behind Kestrel's socket pipes (<see cref="TransportMemoryPool"/>): the
    /// most one socket receive reads. Kestrel's own pool (4 KiB blocks, 2 KiB per receive) is kept with 0. Measured:
    /// docs/benchmarks.md section 10. Read at startup.
    /// </summary>
    public int TransportBlockBytes { get; set; } = 64 * 1024;

    /// <summary>Free transport blocks kept for reuse (the rest go back to the GC). Read at startup.</summary>
    public int TransportBlocksRetained { get; set; } = 256;

    public EdgeTlsOptions Tls { get; set; } = new();

    public EdgeManagementOptions Management { get; set; } = new();

    public EdgeProxyProtocolOptions ProxyProtocol { get; set; } = new();

    public EdgeFallbackOptions Fallback { get; set; } = new();

    internal static readonly string[] DefaultListen = ["0.0.0.0:443", "[::]:443"];
    internal static readonly string[] DefaultManagementListen = ["127.0.0.1:8444"];
}
