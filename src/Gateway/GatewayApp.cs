using Gateway.Edge;
using Gateway.Observability;
using Gateway.Sessions;

namespace Gateway;

/// <summary>Builds the gateway host: used by Program.cs and by whole-gateway tests (several nodes in one process).</summary>
public static class GatewayApp
{
    /// <param name="processWideTls">The process is the gateway alone (Program.cs): process-wide TLS settings
    /// (Edge:Tls:OpenSslConfig) may be installed. Hosts that share a process (tests) leave them alone.</param>
    public static WebApplication Build(string[] args, bool processWideTls = false)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (processWideTls)
        {
            EdgeHostingExtensions.InstallOpenSslCipherConfig(builder.Configuration);
        }

        builder.AddGatewayEdge();
        builder.AddGatewayCore();
        builder.AddGatewayObservability();

        var app = builder.Build();
        app.UseGatewayEdge(); // first: the service port ends here (SSTP probe, fallback, 404)
        app.MapGatewayHealth(); // management port: /healthz, /readyz
        app.MapGatewayAdmin(); // management port: /api/v1, /swagger
        app.MapGatewayMetrics(); // management port: /metrics
        return app;
    }
}
