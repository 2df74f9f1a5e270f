using System.Net;

namespace Gateway.State;

/// <summary>
/// The embedded, per-process store (the single-node default). One lock guards everything: every operation is a few
/// dictionary updates, and this keeps the semantics identical to the atomic Lua scripts of <see cref="RedisStateStore"/>.
/// </summary>
public sealed class InMemoryStateStore : IStateStore
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly long _lingerMs;
    private readonly long _ttlMs;
    private readonly bool _reclaim;

    private readonly Dictionary<string, SessionRecord> _sessions = new(StringComparer.Ordinal);

    // The IPv4 leases and, when configured, the /64 prefix leases (by prefix number): the same mechanism, two pools.
    private readonly LeaseTable _v4;
    private readonly LeaseTable? _v6;

    private readonly Dictionary<string, NodeInfo> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeCommand>> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Subscription>> _subscribers = new(StringComparer.Ordinal);

    public InMemoryStateStore(StateOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        Pool = IpPool.FromOptions(options.Pool);
        _lingerMs = (long)options.Pool.LeaseLinger.TotalMilliseconds;
        _ttlMs = (long)options.NodeTtl.TotalMilliseconds;
        _reclaim = options.Pool.ReclaimLingeringWhenExhausted;
        _v4 = new LeaseTable(this, Pool);
        if (options.ResolveIpv6Prefixes() is { } prefixes)
        {
            _v6 = new LeaseTable(this, prefixes.Indexes);
            Ipv6Prefixes = new Ipv6PrefixLeases(prefixes, _v6);
        }
    }

    public StateProvider Provider => StateProvider.Memory;

    public IpPool Pool { get; }

    public Ipv6PrefixLeases? Ipv6Prefixes { get; }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    // ---- sessions ----

    public Task PutSessionAsync(SessionRecord session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        lock (_gate)
        {
            _sessions[session.SessionId] = Normalize(session);
        }

        return Task.CompletedTask;
    }

    public Task<SessionRecord?> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_sessions.GetValueOrDefault(sessionId));
        }
    }

    public Task<IReadOnlyList<SessionRecord>> ListSessionsAsync(SessionFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var result = new List<SessionRecord>();
        lock (_gate)
        {
            foreach (SessionRecord s in _sessions.Values)
            {
                if (filter.Matches(s))
                {
                    result.Add(s);
                }
            }
        }

        SortSessions(result);
        return Task.FromResult<IReadOnlyList<SessionRecord>>(result);
    }

    public Task<bool> SetSessionStateAsync(string sessionId, SessionState state, string? disconnectReason = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_sessions.TryGetValue(sessionId, out SessionRecord? s))
            {
                return Task.FromResult(false);
            }

            _sessions[sessionId] = s with { State = state, DisconnectReason = string.IsNullOrEmpty(disconnectReason) ? s.DisconnectReason : disconnectReason };
            return Task.FromResult(true);
        }
    }

    public Task<int> UpdateCountersAsync(IReadOnlyList<SessionCounterUpdate> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        DateTimeOffset now = ToTime(NowMs);
        int updated = 0;
        lock (_gate)
        {
            for (int i = 0; i < updates.Count; i++)
            {
                SessionCounterUpdate u = updates[i];
                if (_sessions.TryGetValue(u.SessionId, out SessionRecord? s))
                {
                    _sessions[u.SessionId] = s with { Counters = u.Counters, CountersUpdatedAt = now };
                    updated++;
                }
            }
        }

        return Task.FromResult(updated);
    }

    public Task<bool> RemoveSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_sessions.Remove(sessionId));
        }
    }

    // ---- leases ----

    public Task<LeaseAllocation> AllocateAsync(string userName, string sessionId, string nodeId, CancellationToken cancellationToken = default) =>
        _v4.AllocateAsync(userName, sessionId, nodeId, cancellationToken);

    public Task<bool> ReleaseAsync(string sessionId, CancellationToken cancellationToken = default) =>
        _v4.ReleaseAsync(sessionId, cancellationToken);

    public Task<IpLease?> GetLeaseAsync(IPAddress address, CancellationToken cancellationToken = default) =>
        _v4.GetLeaseAsync(address, cancellationToken);

    public Task<IReadOnlyList<IpLease>> ListLeasesAsync(CancellationToken cancellationToken = default) =>
        _v4.ListLeasesAsync(cancellationToken);

    public Task<PoolUsage> GetPoolUsageAsync(CancellationToken cancellationToken = default) =>
        _v4.GetPoolUsageAsync(cancellationToken);

    // ---- nodes ----

    public Task<NodeInfo> RegisterNodeAsync(string nodeId, string? endpoint = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        long now = NowMs;
        lock (_gate)
        {
            CleanupNodeLocked(nodeId, now);
            var node = new NodeInfo(nodeId, endpoint, NodeState.Active, ToTime(now), ToTime(now), ToTime(now + _ttlMs), null);
            _nodes[nodeId] = node;
            return Task.FromResult(node);
        }
    }

    public Task<bool> HeartbeatAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        long now = NowMs;
        lock (_gate)
        {
            if (!_nodes.TryGetValue(nodeId, out NodeInfo? node))
            {
                return Task.FromResult(false);
            }

            _nodes[nodeId] = node with { LastHeartbeatAt = ToTime(now), ExpiresAt = ToTime(now + _ttlMs) };
            return Task.FromResult(true);
        }
    }

    public Task<bool> SetDrainAsync(string nodeId, DateTimeOffset? drainDeadline, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_nodes.TryGetValue(nodeId, out NodeInfo? node))
            {
                return Task.FromResult(false);
            }

            _nodes[nodeId] = node with
            {
                State = drainDeadline is null ? NodeState.Active : NodeState.Draining,
                DrainDeadline = drainDeadline is { } d ? ToTime(d.ToUnixTimeMilliseconds()) : null,
            };
            return Task.FromResult(true);
        }
    }

    public Task<bool> UnregisterNodeAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        long now = NowMs;
        lock (_gate)
        {
            bool known = _nodes.Remove(nodeId);
            if (known)
            {
                CleanupNodeLocked(nodeId, now);
            }

            return Task.FromResult(known);
        }
    }

    public Task<NodeInfo?> GetNodeAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_nodes.GetValueOrDefault(nodeId));
        }
    }

    public Task<IReadOnlyList<NodeInfo>> ListNodesAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<NodeInfo>();
        lock (_gate)
        {
            result.AddRange(_nodes.Values);
        }

        result.Sort(static (a, b) => string.CompareOrdinal(a.NodeId, b.NodeId));
        return Task.FromResult<IReadOnlyList<NodeInfo>>(result);
    }

    public Task<SweepResult> SweepExpiredNodesAsync(CancellationToken cancellationToken = default)
    {
        long now = NowMs;
        var removed = new List<string>();
        int leases = 0, sessions = 0;
        lock (_gate)
        {
            foreach (NodeInfo node in _nodes.Values)
            {
                if (node.ExpiresAt.ToUnixTimeMilliseconds() <= now)
                {
                    removed.Add(node.NodeId);
                }
            }

            removed.Sort(StringComparer.Ordinal);
            foreach (string nodeId in removed)
            {
                _nodes.Remove(nodeId);
                (int l, int s) = CleanupNodeLocked(nodeId, now);
                leases += l;
                sessions += s;
            }
        }

        return Task.FromResult(removed.Count == 0 ? SweepResult.Empty : new SweepResult(removed, leases, sessions));
    }

    // ---- commands ----

    public Task<bool> SendAsync(NodeCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        command = command with { CreatedAt = ToTime(command.CreatedAt.ToUnixTimeMilliseconds()) };
        Subscription[] targets;
        lock (_gate)
        {
            if (!_nodes.ContainsKey(command.NodeId))
            {
                return Task.FromResult(false);
            }

            if (!_commands.TryGetValue(command.NodeId, out List<NodeCommand>? pending))
            {
                _commands[command.NodeId] = pending = [];
            }

            pending.RemoveAll(c => c.CommandId == command.CommandId);
            pending.Add(command);
            targets = _subscribers.TryGetValue(command.NodeId, out List<Subscription>? subs) ? [.. subs] : [];
        }

        foreach (Subscription s in targets)
        {
            s.Post(command);
        }

        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<NodeCommand>> GetPendingCommandsAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            List<NodeCommand> result = _commands.TryGetValue(nodeId, out List<NodeCommand>? pending) ? [.. pending] : [];
            result.Sort(static (a, b) =>
            {
                int c = a.CreatedAt.CompareTo(b.CreatedAt);
                return c != 0 ? c : string.CompareOrdinal(a.CommandId, b.CommandId);
            });
            return Task.FromResult<IReadOnlyList<NodeCommand>>(result);
        }
    }

    public Task<bool> AcknowledgeCommandAsync(string nodeId, string commandId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_commands.TryGetValue(nodeId, out List<NodeCommand>? pending)
                && pending.RemoveAll(c => c.CommandId == commandId) > 0);
        }
    }

    public Task<IAsyncDisposable> SubscribeCommandsAsync(string nodeId, Func<NodeCommand, Task> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new Subscription(this, nodeId, handler);
        subscription.Start();
        lock (_gate)
        {
            if (!_subscribers.TryGetValue(nodeId, out List<Subscription>? subs))
            {
                _subscribers[nodeId] = subs = [];
            }

            subs.Add(subscription);
        }

        return Task.FromResult<IAsyncDisposable>(subscription);
    }

    // ---- health ----

    public Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new StoreHealth(true, StateProvider.Memory, TimeSpan.Zero, null));

    // ---- helpers (callers hold _gate) ----

    private (int Leases, int Sessions) CleanupNodeLocked(string nodeId, long now)
    {
        int leases = _v4.ReleaseNodeLocked(nodeId, now) + (_v6?.ReleaseNodeLocked(nodeId, now) ?? 0);
        var dead = new List<string>();
        foreach (SessionRecord s in _sessions.Values)
        {
            if (s.NodeId == nodeId)
            {
                dead.Add(s.SessionId);
            }
        }

        foreach (string id in dead)
        {
            _sessions.Remove(id);
        }

        _commands.Remove(nodeId);
        return (leases, dead.Count);
    }

    private void Unsubscribe(Subscription subscription)
    {
        lock (_gate)
        {
            if (_subscribers.TryGetValue(subscription.NodeId, out List<Subscription>? subs))
            {
                subs.Remove(subscription);
            }
        }
    }

    internal static void SortSessions(List<SessionRecord> sessions) =>
        sessions.Sort(static (a, b) =>
        {
            int c = a.StartedAt.CompareTo(b.StartedAt);
            return c != 0 ? c : string.CompareOrdinal(a.SessionId, b.SessionId);
        });

    private static SessionRecord Normalize(SessionRecord s) => s with
    {
        StartedAt = ToTime(s.StartedAt.ToUnixTimeMilliseconds()),
        CountersUpdatedAt = s.CountersUpdatedAt is { } t ? ToTime(t.ToUnixTimeMilliseconds()) : null,
        DisconnectReason = string.IsNullOrEmpty(s.DisconnectReason) ? null : s.DisconnectReason,
    };

    private static long ToMs(DateTimeOffset? time) => time!.Value.ToUnixTimeMilliseconds();

    private static DateTimeOffset ToTime(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    /// <summary>
    /// One lease pool: address -> lease (active or lingering); free addresses ordered by (score, address) where a
    /// never-used address scores its pool index and a freed one the time it was freed, so the least recently used goes
    /// first. Guarded by the store's lock.
    /// </summary>
    private sealed class LeaseTable : IIpLeaseStore
    {
        private readonly InMemoryStateStore _owner;
        private readonly Dictionary<uint, IpLease> _leases = [];
        private readonly Dictionary<string, uint> _leaseBySession = new(StringComparer.Ordinal);
        private readonly Dictionary<string, uint> _lingerByUser = new(StringComparer.Ordinal);
        private readonly SortedSet<(long Until, uint Address)> _lingering = [];
        private readonly SortedSet<(long Score, uint Address)> _free = [];

        public LeaseTable(InMemoryStateStore owner, IpPool pool)
        {
            _owner = owner;
            Pool = pool;
            long index = 0;
            foreach (uint address in pool.Addresses())
            {
                _free.Add((index++, address));
            }
        }

        public IpPool Pool { get; }

        public Task<LeaseAllocation> AllocateAsync(string userName, string sessionId, string nodeId, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(userName);
            ArgumentException.ThrowIfNullOrEmpty(sessionId);
            ArgumentException.ThrowIfNullOrEmpty(nodeId);
            long now = _owner.NowMs;
            lock (_owner._gate)
            {
                ExpireLingering(now);
                if (_leaseBySession.TryGetValue(sessionId, out uint existing))
                {
                    return Task.FromResult(new LeaseAllocation(LeaseOutcome.Existing, _leases[existing]));
                }

                LeaseOutcome outcome;
                uint address;
                if (_lingerByUser.Remove(userName, out address))
                {
                    _lingering.Remove((ToMs(_leases[address].LingerUntil), address));
                    outcome = LeaseOutcome.Restored;
                }
                else if (_free.Count > 0)
                {
                    (long score, address) = _free.Min;
                    _free.Remove((score, address));
                    outcome = LeaseOutcome.Allocated;
                }
                else if (_owner._reclaim && _lingering.Count > 0)
                {
                    (long until, address) = _lingering.Min;
                    _lingering.Remove((until, address));
                    ForgetUserLinger(address);
                    outcome = LeaseOutcome.Allocated;
                }
                else
                {
                    return Task.FromResult(new LeaseAllocation(LeaseOutcome.PoolExhausted, null));
                }

                var lease = new IpLease(IpPool.ToAddress(address), userName, sessionId, nodeId, LeaseState.Active, ToTime(now), null);
                _leases[address] = lease;
                _leaseBySession[sessionId] = address;
                return Task.FromResult(new LeaseAllocation(outcome, lease));
            }
        }

        public Task<bool> ReleaseAsync(string sessionId, CancellationToken cancellationToken = default)
        {
            long now = _owner.NowMs;
            lock (_owner._gate)
            {
                return Task.FromResult(ReleaseLocked(sessionId, now));
            }
        }

        public Task<IpLease?> GetLeaseAsync(IPAddress address, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(address);
            if (!Pool.Contains(address))
            {
                return Task.FromResult<IpLease?>(null);
            }

            long now = _owner.NowMs;
            lock (_owner._gate)
            {
                ExpireLingering(now);
                return Task.FromResult(_leases.GetValueOrDefault(IpPool.ToUInt32(address)));
            }
        }

        public Task<IReadOnlyList<IpLease>> ListLeasesAsync(CancellationToken cancellationToken = default)
        {
            long now = _owner.NowMs;
            var result = new List<IpLease>();
            lock (_owner._gate)
            {
                ExpireLingering(now);
                result.AddRange(_leases.Values);
            }

            result.Sort(static (a, b) => IpPool.ToUInt32(a.Address).CompareTo(IpPool.ToUInt32(b.Address)));
            return Task.FromResult<IReadOnlyList<IpLease>>(result);
        }

        public Task<PoolUsage> GetPoolUsageAsync(CancellationToken cancellationToken = default)
        {
            long now = _owner.NowMs;
            lock (_owner._gate)
            {
                ExpireLingering(now);
                int used = _leaseBySession.Count;
                int lingering = _lingering.Count;
                return Task.FromResult(new PoolUsage(Pool.Size, used, lingering, Pool.Size - used - lingering));
            }
        }

        private bool ReleaseLocked(string sessionId, long now)
        {
            if (!_leaseBySession.Remove(sessionId, out uint address))
            {
                return false;
            }

            IpLease lease = _leases[address];
            if (_owner._lingerMs <= 0)
            {
                _leases.Remove(address);
                _free.Add((now, address));
                return true;
            }

            long until = now + _owner._lingerMs;
            _leases[address] = lease with { State = LeaseState.Lingering, LingerUntil = ToTime(until) };
            _lingering.Add((until, address));
            // One remembered address per user: the most recently released one; an older one just lingers out.
            _lingerByUser[lease.UserName] = address;
            return true;
        }

        private void ExpireLingering(long now)
        {
            while (_lingering.Count > 0 && _lingering.Min.Until <= now)
            {
                (long _, uint address) = _lingering.Min;
                _lingering.Remove(_lingering.Min);
                ForgetUserLinger(address);
                _leases.Remove(address);
                _free.Add((now, address));
            }
        }

        private void ForgetUserLinger(uint address)
        {
            string user = _leases[address].UserName;
            if (_lingerByUser.TryGetValue(user, out uint remembered) && remembered == address)
            {
                _lingerByUser.Remove(user);
            }
        }

        /// <summary>Releases the active leases held by <paramref name="nodeId"/>; returns how many.</summary>
        public int ReleaseNodeLocked(string nodeId, long now)
        {
            var sessionIds = new List<string>();
            foreach (IpLease lease in _leases.Values)
            {
                if (lease.State == LeaseState.Active && lease.NodeId == nodeId)
                {
                    sessionIds.Add(lease.SessionId);
                }
            }

            foreach (string sessionId in sessionIds)
            {
                ReleaseLocked(sessionId, now);
            }

            return sessionIds.Count;
        }
    }

    /// <summary>Delivers published commands to one handler, one at a time, in publication order.</summary>
    private sealed class Subscription(InMemoryStateStore owner, string nodeId, Func<NodeCommand, Task> handler) : IAsyncDisposable
    {
        private readonly System.Threading.Channels.Channel<NodeCommand> _queue =
            System.Threading.Channels.Channel.CreateUnbounded<NodeCommand>(new() { SingleReader = true });

        private Task? _pump;

        public string NodeId { get; } = nodeId;

        public void Post(NodeCommand command) => _queue.Writer.TryWrite(command);

        public void Start() => _pump = Task.Run(PumpAsync);

        public async ValueTask DisposeAsync()
        {
            owner.Unsubscribe(this);
            _queue.Writer.TryComplete();
            if (_pump is { } pump)
            {
                await pump.ConfigureAwait(false);
            }
        }

        private async Task PumpAsync()
        {
            await foreach (NodeCommand command in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    await handler(command).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // A failing handler must not stop delivery; the command stays pending and is polled again.
                }
            }
        }
    }
}
