using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gateway.Observability;

/// <summary>
/// OpenTelemetry for the gateway: every "Gateway.*" meter plus ASP.NET Core, scraped at <c>/metrics</c> on the management
/// port (Prometheus text format), and traces, metrics and logs exported over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or <c>Observability:OtlpEndpoint</c>) is set.
/// </summary>
public static class ObservabilityExtensions
{
    public static WebApplicationBuilder AddGatewayObservability(this WebApplicationBuilder builder)
    {
        string? otlp = builder.Configuration["Observability:OtlpEndpoint"]
                       ?? builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        Uri? endpoint = string.IsNullOrWhiteSpace(otlp) ? null : new Uri(otlp);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("sstp-gateway"))
            .WithMetrics(m =>
            {
                m.AddMeter("Gateway.*").AddAspNetCoreInstrumentation().AddPrometheusExporter();
                // The ASP.NET Core instrumentation also subscribes to Kestrel's memory-pool meter, whose counters are
                // updated on every pipe block rented and returned: ~2-3% of the gateway's CPU per session setup (and
                // per packet on the data path) for figures nobody reads. A dropped stream is not listened to at all.
                m.AddView("aspnetcore.memory_pool.*", MetricStreamConfiguration.Drop);
                if (endpoint is not null)
                {
                    m.AddOtlpExporter(o => o.Endpoint = endpoint);
                }
            })
            .WithTracing(t =>
            {
                t.AddAspNetCoreInstrumentation();
                if (endpoint is not null)
                {
                    t.AddOtlpExporter(o => o.Endpoint = endpoint);
                }
            });
        if (endpoint is not null)
        {
            builder.Logging.AddOpenTelemetry(o => o.AddOtlpExporter(e => e.Endpoint = endpoint));
        }

        return builder;
    }

    /// <summary>Maps <c>/metrics</c>; reached on the management port only (the edge ends service-port requests first).</summary>
    public static IEndpointRouteBuilder MapGatewayMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint("/metrics");
        return endpoints;
    }
}
