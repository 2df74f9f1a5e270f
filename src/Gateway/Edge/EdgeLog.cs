using Microsoft.Extensions.Logging;

namespace Gateway.Edge;

/// <summary>All edge log messages (source-generated; event ids 1000-1099 are the edge's).</summary>
internal static partial class EdgeLog
{
    [LoggerMessage(1000, LogLevel.Information, "Edge listening: {Kind} on {EndPoint} ({Scheme})")]
    public static partial void Listening(ILogger logger, EdgeListenerKind kind, string endPoint, string scheme);

    [LoggerMessage(1001, LogLevel.Information, "TLS certificate loaded from {Source}: subject {Subject}, SHA-256 {Sha256}, valid until {NotAfter:u}")]
    public static partial void CertificateLoaded(ILogger logger, string source, string subject, string sha256, DateTime notAfter);

    [LoggerMessage(1002, LogLevel.Warning, "Created a self-signed TLS certificate at {Path} for {Names}; clients must trust SHA-256 fingerprint {Sha256}")]
    public static partial void SelfSignedCreated(ILogger logger, string path, string names, string sha256);

    [LoggerMessage(1003, LogLevel.Warning, "Using the self-signed TLS certificate at {Path}; clients must trust SHA-256 fingerprint {Sha256}")]
    public static partial void SelfSignedReused(ILogger logger, string path, string sha256);

    [LoggerMessage(1004, LogLevel.Error, "TLS certificate reload from {Source} failed; keeping the current certificate")]
    public static partial void CertificateReloadFailed(ILogger logger, string source, Exception exception);

    [LoggerMessage(1005, LogLevel.Warning, "The self-signed certificate at {Path} is unusable or expires soon; creating a new one")]
    public static partial void SelfSignedReplaced(ILogger logger, string path, Exception? exception);

    [LoggerMessage(1006, LogLevel.Information, "TLS cipher policy applied through {Mechanism}; TLS contexts cached and sessions resumable: {Cached}")]
    public static partial void CipherPolicy(ILogger logger, string mechanism, bool cached);

    [LoggerMessage(1010, LogLevel.Debug, "Connection {ConnectionId}: SSTP duplex POST accepted (correlation {CorrelationId})")]
    public static partial void SstpAccepted(ILogger logger, string connectionId, string? correlationId);

    [LoggerMessage(1011, LogLevel.Debug, "Connection {ConnectionId}: request rejected by the edge ({Reason})")]
    public static partial void Rejected(ILogger logger, string connectionId, EdgeRejectReason reason);

    [LoggerMessage(1012, LogLevel.Error, "Connection {ConnectionId}: the SSTP connection handler failed")]
    public static partial void HandlerFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(1013, LogLevel.Debug, "Connection {ConnectionId}: PROXY v{Version} header from {Proxy}, client {Client}")]
    public static partial void ProxyHeader(ILogger logger, string connectionId, int version, string? proxy, string? client);

    [LoggerMessage(1014, LogLevel.Debug, "Connection {ConnectionId}: TLS handshake failed or was abandoned")]
    public static partial void HandshakeFailed(ILogger logger, string connectionId);

    [LoggerMessage(1020, LogLevel.Information, "Management TLS: {Certificate}; client certificate {Policy}")]
    public static partial void ManagementTls(ILogger logger, string certificate, string policy);

    [LoggerMessage(1021, LogLevel.Warning, "Management TLS: refused client {Remote} (connection {ConnectionId}): certificate {Status} ({Detail}); subject {Subject}, SHA-256 {Sha256}")]
    public static partial void ManagementClientRefused(ILogger logger, string? remote, string connectionId, ManagementClientCertificateStatus status, string detail, string subject, string sha256);

    [LoggerMessage(1022, LogLevel.Debug, "Management TLS: client {Remote} (connection {ConnectionId}) authenticated as {Subject}, SHA-256 {Sha256}")]
    public static partial void ManagementClientAccepted(ILogger logger, string? remote, string connectionId, string subject, string sha256);

    [LoggerMessage(1023, LogLevel.Error, "Management TLS reload ({Files}) failed; keeping the current certificate and CA bundle")]
    public static partial void ManagementTlsReloadFailed(ILogger logger, string files, Exception exception);
}
