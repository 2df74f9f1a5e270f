using System.Net;

namespace Gateway.Edge;

/// <summary>
/// Connection feature set by the first edge middleware on every listener. Kestrel's HTTP feature collection
/// falls back to connection features, so HTTP code sees it too (<c>HttpContext.Features.Get&lt;EdgeConnectionFeature&gt;()</c>).
/// </summary>
public sealed class EdgeConnectionFeature(EdgeListenerKind kind)
{
    public EdgeListenerKind Kind { get; } = kind;

    /// <summary>The proxy's own address when a PROXY header replaced the remote endpoint.</summary>
    public EndPoint? ProxyEndPoint { get; internal set; }

    internal bool TlsHandshakeCompleted { get; set; }

    /// <summary>The ClientHello offered TLS 1.3 (set by <see cref="ClientHelloSniffMiddleware"/> when it runs).</summary>
    internal bool OffersTls13 { get; set; }

    internal bool RejectedBeforeTls { get; set; }
}
