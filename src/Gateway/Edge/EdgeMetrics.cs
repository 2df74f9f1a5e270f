using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gateway.Edge;

/// <summary>The <c>Gateway.Edge</c> meter. Tags are low-cardinality enums only (never addresses or user names).</summary>
public sealed class EdgeMetrics
{
    public const string MeterName = "Gateway.Edge";

    private readonly Counter<long> _handshakes;
    private readonly Counter<long> _sstpAccepted;
    private readonly Counter<long> _httpPassedThrough;
    private readonly Counter<long> _rejected;

    public EdgeMetrics(IMeterFactory meterFactory)
    {
        Meter meter = meterFactory.Create(MeterName);
        _handshakes = meter.CreateCounter<long>("gateway.edge.tls.handshakes", "{handshake}", "TLS handshakes on the service port by result (ok, failed).");
        _sstpAccepted = meter.CreateCounter<long>("gateway.edge.sstp.accepted", "{connection}", "SSTP duplex POSTs answered 200 and handed to the SSTP layer.");
        _httpPassedThrough = meter.CreateCounter<long>("gateway.edge.http.passed_through", "{connection}", "Service-port connections handed to the HTTP pipeline.");
        _rejected = meter.CreateCounter<long>("gateway.edge.rejected", "{connection}", "Connections or requests refused by the edge, by reason.");
    }

    internal void Handshake(bool ok) => _handshakes.Add(1, new KeyValuePair<string, object?>("result", ok ? "ok" : "failed"));

    internal void SstpAccepted() => _sstpAccepted.Add(1);

    internal void HttpPassedThrough() => _httpPassedThrough.Add(1);

    internal void Rejected(EdgeRejectReason reason) => _rejected.Add(1, new TagList { { "reason", ReasonTag(reason) } });

    private static string ReasonTag(EdgeRejectReason reason) => reason switch
    {
        EdgeRejectReason.BadRequest => "bad_request",
        EdgeRejectReason.NotFound => "not_found",
        EdgeRejectReason.HeadTooLarge => "head_too_large",
        EdgeRejectReason.HeadTimeout => "head_timeout",
        EdgeRejectReason.Draining => "draining",
        EdgeRejectReason.ProxyUntrusted => "proxy_untrusted",
        EdgeRejectReason.ProxyInvalid => "proxy_invalid",
        EdgeRejectReason.ProxyTooLarge => "proxy_too_large",
        EdgeRejectReason.ProxyTimeout => "proxy_timeout",
        _ => "other",
    };
}
