using System.Net;

namespace Gateway.Edge;

/// <summary>
/// What the edge knows about a connection it hands to the SSTP core after the duplex POST.
/// The certificate hashes are those of the leaf certificate presented on this very TLS connection
/// (MS-SSTP 3.3.5.2.3: the crypto binding covers it), so a hot-reloaded certificate never breaks a call.
/// </summary>
public sealed record SstpConnectionInfo(
    string ConnectionId,
    EndPoint? RemoteEndPoint,
    EndPoint? LocalEndPoint,
    byte[] CertificateHashSha1,
    byte[] CertificateHashSha256,
    string? CorrelationId,
    string? TlsProtocol);
