using System.IO.Pipelines;
using Gateway.Edge;
using Gateway.Ppp;
using Gateway.Ppp.Auth;
using Gateway.Sstp;
using Gateway.Tunnel;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>Runs one <see cref="GatewaySession"/> for each connection the edge hands over after the duplex POST.</summary>
public sealed class SstpConnectionHandler(
    IOptions<SstpOptions> sstpOptions,
    IOptions<PppOptions> pppOptions,
    IOptions<TunnelOptions> tunnelOptions,
    IOptions<SessionOptions> sessionOptions,
    IServerAuthenticatorFactory authenticators,
    PacketRouter router,
    ISessionLeases leases,
    ISessionTracker tracker,
    SessionMetrics metrics,
    TunnelMetrics tunnelMetrics,
    SessionRegistry registry,
    ILoggerFactory loggerFactory,
    TimeProvider time) : ISstpConnectionHandler
{
    public async Task HandleAsync(IDuplexPipe transport, Stream? tls, SstpConnectionInfo info, CancellationToken connectionClosed)
    {
        var session = new GatewaySession(transport, tls, info, sstpOptions.Value, pppOptions.Value, tunnelOptions.Value,
            sessionOptions.Value, authenticators, router, leases, tracker, metrics, tunnelMetrics, loggerFactory, time);
        registry.Add(session);
        try
        {
            await session.RunAsync(connectionClosed).ConfigureAwait(false);
        }
        finally
        {
            registry.Remove(session);
        }
    }
}
