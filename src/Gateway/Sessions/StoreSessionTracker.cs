using System.Net;
using Gateway.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>
/// Keeps the session store in step with this node's sessions: a record when a session becomes active, counters every
/// <see cref="SessionOptions.CounterRefreshMs"/> in one batch, removal at the end. Store outages are logged and
/// retried on the next refresh; they never affect a running session.
/// </summary>
public sealed partial class StoreSessionTracker(
    ISessionStore store,
    SessionRegistry registry,
    IOptions<StateOptions> state,
    IOptions<SessionOptions> options,
    TimeProvider time,
    ILogger<StoreSessionTracker> logger) : BackgroundService, ISessionTracker
{
    private readonly string _nodeId = state.Value.ResolveNodeId();

    public void OnActive(GatewaySession session) => _ = PutAsync(session);

    public async Task OnEndedAsync(GatewaySession session, string reason)
    {
        if (session.UserName is null)
        {
            return;
        }

        try
        {
            await store.RemoveSessionAsync(session.Id).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            StoreFailed(logger, "remove", session.Id, ex.Message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.CounterRefreshMs), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var updates = new List<SessionCounterUpdate>();
            foreach (GatewaySession s in registry.All)
            {
                if (s.ClientAddress is not null)
                {
                    updates.Add(new SessionCounterUpdate(s.Id,
                        new SessionCounters(s.UplinkBytes, s.DownlinkBytes, s.UplinkPackets, s.DownlinkPackets)));
                }
            }

            if (updates.Count == 0)
            {
                continue;
            }

            try
            {
                int updated = await store.UpdateCountersAsync(updates, stoppingToken).ConfigureAwait(false);
                if (updated < updates.Count)
                {
                    // Records lost (store restarted or swept this node): write them again.
                    foreach (GatewaySession s in registry.All)
                    {
                        if (s.ClientAddress is not null && await store.GetSessionAsync(s.Id, stoppingToken).ConfigureAwait(false) is null)
                        {
                            await PutAsync(s).ConfigureAwait(false);
                        }
                    }
                }
            }
            catch (StoreUnavailableException ex)
            {
                StoreFailed(logger, "counters", "*", ex.Message);
            }
        }
    }

    private async Task PutAsync(GatewaySession s)
    {
        try
        {
            await store.PutSessionAsync(new SessionRecord(s.Id, s.UserName ?? "", _nodeId, s.ClientAddress, s.Ipv6Prefix,
                s.Info.RemoteEndPoint as IPEndPoint, s.StartedAt, SessionState.Active,
                new SessionCounters(s.UplinkBytes, s.DownlinkBytes, s.UplinkPackets, s.DownlinkPackets),
                time.GetUtcNow())).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            StoreFailed(logger, "put", s.Id, ex.Message);
        }
    }

    [LoggerMessage(420, LogLevel.Warning, "Session store {Operation} failed for session {SessionId}: {Error}; retried on the next refresh")]
    private static partial void StoreFailed(ILogger logger, string operation, string sessionId, string error);
}
