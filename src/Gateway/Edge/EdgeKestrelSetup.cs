using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge;

/// <summary>Builds the Kestrel listeners and the service-port connection pipeline: mark, PROXY, TLS, SSTP sniffing.</summary>
internal sealed class EdgeKestrelSetup(IOptions<EdgeOptions> edgeOptions, EdgeListenerRegistry registry, ILoggerFactory loggerFactory)
    : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        EdgeOptions options = edgeOptions.Value;
        ILogger logger = loggerFactory.CreateLogger("Gateway.Edge");
        IEnumerable<string> service = options.Listen.Count > 0 ? options.Listen : EdgeOptions.DefaultListen;
        IEnumerable<string> management = options.ManagementListen.Count > 0 ? options.ManagementListen : EdgeOptions.DefaultManagementListen;
        foreach (string text in service)
        {
            kestrel.Listen(ParseEndPoint(text, "Edge:Listen"), listen =>
            {
                registry.Add(EdgeListenerKind.Service, listen);
                ConfigureService(listen, options, logger);
            });
        }

        foreach (string text in management)
        {
            kestrel.Listen(ParseEndPoint(text, "Edge:ManagementListen"), listen =>
            {
                registry.Add(EdgeListenerKind.Management, listen);
                // HTTP/1.1 only: plain HTTP/2 would need prior knowledge, and Kestrel warns at every start when asked for it.
                listen.Protocols = HttpProtocols.Http1;
                Mark(listen, EdgeListenerKind.Management);
                if (options.Management.Tls.Enabled)
                {
                    var store = listen.ApplicationServices.GetRequiredService<ManagementTlsStore>();
                    store.Start();
                    listen.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = static context => new ValueTask<System.Net.Security.SslServerAuthenticationOptions>(((ManagementTlsStore)context.State!).CreateOptions(context.Connection)),
                        OnConnectionState = store,
                        HandshakeTimeout = options.Tls.HandshakeTimeout,
                    });
                }
            });
        }

        foreach (string text in options.Management.ProbeListen)
        {
            kestrel.Listen(ParseEndPoint(text, "Edge:Management:ProbeListen"), listen =>
            {
                registry.Add(EdgeListenerKind.Probe, listen);
                listen.Protocols = HttpProtocols.Http1;
                Mark(listen, EdgeListenerKind.Probe);
            });
        }
    }

    /// <summary>First connection middleware of a listener: tells HTTP code which listener the request came on.</summary>
    private static void Mark(ListenOptions listen, EdgeListenerKind kind) =>
        listen.Use(next => context =>
        {
            context.Features.Set(new EdgeConnectionFeature(kind));
            return next(context);
        });

    internal static IPEndPoint ParseEndPoint(string text, string key) =>
        IPEndPoint.TryParse(text.Trim(), out IPEndPoint? endPoint)
            ? endPoint
            : throw new FormatException($"{key}: '{text}' is not an address:port (e.g. 0.0.0.0:443 or [::]:443)");

    /// <summary>Like Kestrel's default, except that [::] is IPv6-only so it can be listed next to 0.0.0.0 on the same port.</summary>
    internal static Socket CreateBoundListenSocket(EndPoint endPoint)
    {
        if (endPoint is not IPEndPoint ip)
        {
            return Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions.CreateDefaultBoundListenSocket(endPoint);
        }

        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (ip.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }

            socket.Bind(ip);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void ConfigureService(ListenOptions listen, EdgeOptions options, ILogger logger)
    {
        IServiceProvider services = listen.ApplicationServices;
        var metrics = services.GetRequiredService<EdgeMetrics>();
        var time = services.GetRequiredService<TimeProvider>();

        // HTTP/2 is off here: an SSTP client never negotiates it and the duplex POST is HTTP/1.x only.
        listen.Protocols = HttpProtocols.Http1;
        TcpSendBufferLimit.Use(listen, options.TcpNotSentLowWatermark, logger);
        listen.Use(next => async context =>
        {
            var feature = new EdgeConnectionFeature(EdgeListenerKind.Service);
            context.Features.Set(feature);
            await next(context);
            if (!options.HttpOnly && !feature.TlsHandshakeCompleted && !feature.RejectedBeforeTls)
            {
                metrics.Handshake(false);
                EdgeLog.HandshakeFailed(logger, context.ConnectionId);
            }
        });

        var trusted = new TrustedProxyList(options.ProxyProtocol.TrustedProxies);
        if (!trusted.IsEmpty)
        {
            listen.Use(next => new ProxyProtocolMiddleware(next, trusted, options.ProxyProtocol, time, metrics, logger).OnConnectionAsync);
        }

        if (!options.HttpOnly)
        {
            var store = services.GetRequiredService<ServerCertificateStore>();
            store.Start();
            if (!string.IsNullOrEmpty(options.Tls.Tls13CertificatePath))
            {
                listen.Use(next => new ClientHelloSniffMiddleware(next, options.Tls.HandshakeTimeout, time).OnConnectionAsync);
            }

            listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                // The certificate follows the versions the ClientHello offers (Edge:Tls:Tls13CertificatePath).
                OnConnection = static context => new ValueTask<System.Net.Security.SslServerAuthenticationOptions>(
                    ((ServerCertificateStore)context.State!).OptionsFor(context.Connection.Features.Get<EdgeConnectionFeature>()?.OffersTls13 == true)),
                OnConnectionState = store,
                HandshakeTimeout = options.Tls.HandshakeTimeout,
            });
            listen.Use(next => context =>
            {
                if (context.Features.Get<EdgeConnectionFeature>() is { } feature)
                {
                    feature.TlsHandshakeCompleted = true;
                }

                metrics.Handshake(true);
                return next(context);
            });
        }

        byte[]? sha1 = ParseHex(options.HttpOnly ? options.HttpOnlyCertificateSha1 : null, 20, "Edge:HttpOnlyCertificateSha1");
        byte[]? sha256 = ParseHex(options.HttpOnly ? options.HttpOnlyCertificateSha256 : null, 32, "Edge:HttpOnlyCertificateSha256");
        if (options.HttpOnly && sha1 is null && sha256 is null)
        {
            throw new OptionsValidationException(EdgeOptions.SectionName, typeof(EdgeOptions),
                ["Edge:HttpOnly needs Edge:HttpOnlyCertificateSha256 and/or Edge:HttpOnlyCertificateSha1: the crypto binding covers the certificate the client saw at the TLS front end (MS-SSTP 3.3.5.2.3)"]);
        }

        var handler = services.GetService<ISstpConnectionHandler>()
            ?? throw new InvalidOperationException("No ISstpConnectionHandler is registered: register the SSTP layer's handler before starting the edge.");
        var admission = services.GetRequiredService<IAdmissionControl>();
        listen.Use(next => new SstpConnectionMiddleware(next, handler, admission, options, sha1, sha256, time, metrics, logger).OnConnectionAsync);
    }

    private static byte[]? ParseHex(string? hex, int length, string key)
    {
        if (string.IsNullOrWhiteSpace(hex))
        {
            return null;
        }

        string compact = hex.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        try
        {
            byte[] bytes = Convert.FromHexString(compact);
            if (bytes.Length == length)
            {
                return bytes;
            }
        }
        catch (FormatException)
        {
        }

        throw new OptionsValidationException(EdgeOptions.SectionName, typeof(EdgeOptions), [$"{key}: expected {length} bytes of hex"]);
    }
}
