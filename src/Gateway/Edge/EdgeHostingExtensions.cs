using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Edge;

/// <summary>Composition entry points of the edge layer (Program.cs calls these and nothing else of the edge).</summary>
public static class EdgeHostingExtensions
{
    /// <summary>
    /// Registers the edge: options (<c>Edge</c> section), Kestrel listeners and connection pipeline, certificate store,
    /// metrics, default <see cref="IAdmissionControl"/> (<see cref="AdmissionControl"/>) and <see cref="GatewayReadiness"/>.
    /// An <see cref="ISstpConnectionHandler"/> must be registered by the SSTP layer (before the host starts).
    /// Registrations made earlier of <see cref="IAdmissionControl"/> win (TryAdd).
    /// </summary>
    public static WebApplicationBuilder AddGatewayEdge(this WebApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        services.AddOptions<EdgeOptions>().Bind(builder.Configuration.GetSection(EdgeOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<EdgeMetrics>();
        services.TryAddSingleton<EdgeListenerRegistry>();
        services.TryAddSingleton<ServerCertificateStore>();
        services.TryAddSingleton<ManagementTlsStore>();
        services.TryAddSingleton<AdmissionControl>();
        services.TryAddSingleton<IAdmissionControl>(sp => sp.GetRequiredService<AdmissionControl>());
        services.TryAddSingleton<GatewayReadiness>();
        services.AddHttpForwarder();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, EdgeKestrelSetup>();
        services.AddOptions<SocketTransportOptions>().Configure<IOptions<EdgeOptions>>((o, edge) =>
        {
            o.CreateBoundListenSocket = EdgeKestrelSetup.CreateBoundListenSocket;
            o.UnsafePreferInlineScheduling = edge.Value.InlineSocketScheduling;
        });
        var edgeAtStartup = new EdgeOptions();
        builder.Configuration.GetSection(EdgeOptions.SectionName).Bind(edgeAtStartup);
        if (edgeAtStartup.TransportBlockBytes > 0)
        {
            // Registered after Kestrel's own factory (WebApplicationBuilder adds it first), so this one is resolved.
            services.AddSingleton(new TransportMemoryPoolFactory(edgeAtStartup.TransportBlockBytes, edgeAtStartup.TransportBlocksRetained));
            services.AddSingleton<IMemoryPoolFactory<byte>>(sp => sp.GetRequiredService<TransportMemoryPoolFactory>());
        }

        return builder;
    }

    /// <summary>
    /// Edge:Tls:OpenSslConfig: writes the cipher policy as OpenSSL's defaults and points OPENSSL_CONF at it. Process-wide,
    /// so only the gateway's own entry point calls it (GatewayApp.Build with processWideTls), before the process's
    /// first TLS or crypto call; ServerCertificateStore checks later whether it took effect and keeps the .NET policy
    /// if not (in-process test hosts never install it).
    /// </summary>
    public static void InstallOpenSslCipherConfig(IConfiguration configuration)
    {
        var tls = new EdgeTlsOptions();
        configuration.GetSection(EdgeOptions.SectionName + ":Tls").Bind(tls);
        if (tls.OpenSslConfig && !tls.PlatformCipherSuites && !configuration.GetValue<bool>(EdgeOptions.SectionName + ":HttpOnly"))
        {
            string directory = Credentials.UserDirectory.DataDirectory(configuration);
            OpenSslCipherConfig.TryInstall(directory, tls.AllowLegacyCbcSuites);
        }
    }

    /// <summary>
    /// Must be the first middleware. Requests on the service port end here: the probe path, else the YARP fallback
    /// (<c>Edge:Fallback:Destination</c>), else 404. Requests on probe listeners (<c>Edge:Management:ProbeListen</c>)
    /// end here too, with /healthz and /readyz only. Only management-port requests continue down the pipeline,
    /// so nothing mapped afterwards (admin API, health, metrics) is reachable on the service port.
    /// </summary>
    public static IApplicationBuilder UseGatewayEdge(this IApplicationBuilder app)
    {
        IServiceProvider services = app.ApplicationServices;
        EdgeOptions options = services.GetRequiredService<IOptions<EdgeOptions>>().Value;
        GatewayReadiness readiness = services.GetRequiredService<GatewayReadiness>();
        string? destination = string.IsNullOrWhiteSpace(options.Fallback.Destination) ? null : options.Fallback.Destination;
        IHttpForwarder? forwarder = destination is null ? null : services.GetRequiredService<IHttpForwarder>();
        HttpMessageInvoker? invoker = destination is null ? null : new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(15),
        });

        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        var registry = services.GetRequiredService<EdgeListenerRegistry>();
        ILogger logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Edge");
        lifetime.ApplicationStarted.Register(() =>
        {
            foreach (IPEndPoint endPoint in registry.EndPoints(EdgeListenerKind.Service))
            {
                EdgeLog.Listening(logger, EdgeListenerKind.Service, endPoint.ToString(), options.HttpOnly ? "http" : "https");
            }

            EdgeManagementTlsOptions tls = options.Management.Tls;
            string managementScheme = !tls.Enabled ? "http" : tls.RequireClientCertificate ? "https, client certificate required" : "https";
            foreach (IPEndPoint endPoint in registry.EndPoints(EdgeListenerKind.Management))
            {
                EdgeLog.Listening(logger, EdgeListenerKind.Management, endPoint.ToString(), managementScheme);
            }

            foreach (IPEndPoint endPoint in registry.EndPoints(EdgeListenerKind.Probe))
            {
                EdgeLog.Listening(logger, EdgeListenerKind.Probe, endPoint.ToString(), "http, /healthz and /readyz only");
            }
        });

        // Probe listeners: the two health answers, nothing else (no admin API, metrics or fallback).
        app.MapWhen(IsProbe, probe => probe.Run(context =>
        {
            IResult? answer = (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                ? context.Request.Path.Value switch
                {
                    HealthPath => Alive(),
                    ReadyPath => Ready(readiness),
                    _ => null,
                }
                : null;
            return (answer ?? Results.NotFound()).ExecuteAsync(context);
        }));

        app.MapWhen(IsNotManagement, service => service.Run(async context =>
        {
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                if (string.Equals(context.Request.Path.Value, options.ProbePath, StringComparison.OrdinalIgnoreCase))
                {
                    bool ready = readiness.NotReadyReason() is null;
                    context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
                    context.Response.Headers.CacheControl = "no-store";
                    await context.Response.WriteAsync(ready ? "ok\n" : "draining\n");
                    return;
                }
            }

            if (forwarder is not null)
            {
                await forwarder.SendAsync(context, destination!, invoker!, ForwarderRequestConfig.Empty, HttpTransformer.Default);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }));
        return app;
    }

    /// <summary>Maps <c>/healthz</c> (alive) and <c>/readyz</c> (<see cref="GatewayReadiness"/>); reached on the management port only.</summary>
    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(HealthPath, Alive);
        endpoints.MapGet(ReadyPath, Ready);
        return endpoints;
    }

    private const string HealthPath = "/healthz";
    private const string ReadyPath = "/readyz";

    private static IResult Alive() => Results.Text("alive\n");

    private static IResult Ready(GatewayReadiness readiness) => readiness.NotReadyReason() is { } reason
        ? Results.Text($"not ready: {reason}\n", statusCode: StatusCodes.Status503ServiceUnavailable)
        : Results.Text("ready\n");

    private static bool IsProbe(HttpContext context) =>
        context.Features.Get<EdgeConnectionFeature>()?.Kind == EdgeListenerKind.Probe;

    /// <summary>Requests without the marker (e.g. in-memory test servers) are treated as service-port requests: fail closed.</summary>
    private static bool IsNotManagement(HttpContext context) =>
        context.Features.Get<EdgeConnectionFeature>()?.Kind != EdgeListenerKind.Management;
}
