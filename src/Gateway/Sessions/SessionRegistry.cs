using System.Collections.Concurrent;

namespace Gateway.Sessions;

/// <summary>The sessions running on this node, for shutdown, draining and the admin API.</summary>
public sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<string, GatewaySession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public IEnumerable<GatewaySession> All => _sessions.Values;

    public GatewaySession? Find(string id) => _sessions.TryGetValue(id, out GatewaySession? s) ? s : null;

    internal void Add(GatewaySession session) => _sessions[session.Id] = session;

    internal void Remove(GatewaySession session) => _sessions.TryRemove(new KeyValuePair<string, GatewaySession>(session.Id, session));

    /// <summary>
    /// Disconnects every session the graceful way and waits for them, at most <paramref name="grace"/>; sessions still
    /// running then are left to the connection teardown.
    /// </summary>
    public async Task DisconnectAllAsync(string reason, TimeSpan grace, TimeProvider time)
    {
        GatewaySession[] sessions = [.. _sessions.Values];
        if (sessions.Length == 0)
        {
            return;
        }

        Task all = Task.WhenAll(sessions.Select(s => s.DisconnectAsync(reason)));
        await Task.WhenAny(all, Task.Delay(grace, time)).ConfigureAwait(false);
    }
}
