using System.Globalization;
using System.Net;
using System.Text.Json;
using StackExchange.Redis;

namespace Gateway.State;

/// <summary>
/// The cluster store on Redis: Redis is the truth, nodes keep no state of their own. All multi-key changes run as Lua
/// scripts (<see cref="RedisScripts"/>), so they are atomic across nodes. The shared multiplexer should be configured
/// with <see cref="CreateConfiguration"/>: no command backlog while disconnected, so a call fails at once with
/// <see cref="StoreUnavailableException"/> and the multiplexer reconnects in the background.
/// </summary>
public sealed class RedisStateStore : IStateStore
{
    private const int SweepBatch = 16;
    private const int CounterBatch = 500;

    private readonly IConnectionMultiplexer _connection;
    private readonly TimeProvider _time;
    private readonly StateMetrics _metrics;
    private readonly string _prefix;
    private readonly long _lingerMs;
    private readonly long _ttlMs;
    private readonly string _reclaim;
    private readonly LeaseSpace _v4;

    public RedisStateStore(IConnectionMultiplexer connection, StateOptions options, TimeProvider? timeProvider = null, StateMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _connection = connection;
        _time = timeProvider ?? TimeProvider.System;
        _metrics = metrics ?? new StateMetrics();
        _prefix = options.KeyPrefix ?? string.Empty;
        Pool = IpPool.FromOptions(options.Pool);
        _lingerMs = (long)options.Pool.LeaseLinger.TotalMilliseconds;
        _ttlMs = (long)options.NodeTtl.TotalMilliseconds;
        _reclaim = options.Pool.ReclaimLingeringWhenExhausted ? "1" : "0";

        _v4 = new LeaseSpace(_prefix, Pool, Pool.Spec);
        if (options.ResolveIpv6Prefixes() is { } prefixes)
        {
            var v6 = new LeaseSpace(_prefix + RedisScripts.Ipv6LeaseSpace, prefixes.Indexes, prefixes.Spec);
            Ipv6Prefixes = new Ipv6PrefixLeases(prefixes, new LeaseSpaceStore(this, v6));
        }
    }

    public StateProvider Provider => StateProvider.Redis;

    public IpPool Pool { get; }

    public Ipv6PrefixLeases? Ipv6Prefixes { get; }

    /// <summary>
    /// The multiplexer configuration the store expects: never abort on connect failure (keep retrying), fail fast while
    /// disconnected, bounded timeouts.
    /// </summary>
    public static ConfigurationOptions CreateConfiguration(RedisStateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConfigurationOptions config = ConfigurationOptions.Parse(options.Configuration);
        config.AbortOnConnectFail = false;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds;
        config.SyncTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        config.AsyncTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        config.ConnectRetry = 1;
        config.ReconnectRetryPolicy = new ExponentialRetry(250, 2000);
        config.ClientName ??= "sstp-gateway";
        return config;
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private IDatabase Db => _connection.GetDatabase();

    // ---- sessions ----

    public Task PutSessionAsync(SessionRecord session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var args = new List<RedisValue>(24)
        {
            _prefix, session.SessionId, session.UserName, session.NodeId,
            "start", session.StartedAt.ToUnixTimeMilliseconds(),
            "st", (int)session.State,
            "bi", session.Counters.BytesIn, "bo", session.Counters.BytesOut,
            "pi", session.Counters.PacketsIn, "po", session.Counters.PacketsOut,
        };
        AddIf(args, "v4", session.InnerIPv4?.ToString());
        AddIf(args, "v6", session.InnerIPv6?.ToString());
        AddIf(args, "outer", session.OuterEndPoint?.ToString());
        AddIf(args, "cu", session.CountersUpdatedAt?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        AddIf(args, "reason", session.DisconnectReason);
        return RunAsync("session.put", db => db.ScriptEvaluateAsync(RedisScripts.PutSession, null, [.. args]), cancellationToken);
    }

    public Task<SessionRecord?> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        RunAsync("session.get", async db => ParseSession(sessionId, await db.HashGetAllAsync(SessionKey(sessionId)).ConfigureAwait(false)), cancellationToken);

    public Task<IReadOnlyList<SessionRecord>> ListSessionsAsync(SessionFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        RedisKey index = filter.NodeId is not null ? Key("ns:", filter.NodeId)
            : filter.UserName is not null ? Key("us:", filter.UserName)
            : Key("sessions");
        return RunAsync<IReadOnlyList<SessionRecord>>("session.list", async db =>
        {
            RedisValue[] ids = await db.SetMembersAsync(index).ConfigureAwait(false);
            IBatch batch = db.CreateBatch();
            var reads = new Task<HashEntry[]>[ids.Length];
            for (int i = 0; i < ids.Length; i++)
            {
                reads[i] = batch.HashGetAllAsync(SessionKey(ids[i]!));
            }

            batch.Execute();
            await Task.WhenAll(reads).ConfigureAwait(false);
            var result = new List<SessionRecord>(ids.Length);
            for (int i = 0; i < ids.Length; i++)
            {
                if (ParseSession(ids[i]!, reads[i].Result) is { } s && filter.Matches(s))
                {
                    result.Add(s);
                }
            }

            InMemoryStateStore.SortSessions(result);
            return result;
        }, cancellationToken);
    }

    public Task<bool> SetSessionStateAsync(string sessionId, SessionState state, string? disconnectReason = null, CancellationToken cancellationToken = default) =>
        RunAsync("session.state", async db => (long)await db.ScriptEvaluateAsync(
            RedisScripts.SetSessionState, null, [_prefix, sessionId, (int)state, disconnectReason ?? string.Empty]).ConfigureAwait(false) == 1,
            cancellationToken);

    public Task<int> UpdateCountersAsync(IReadOnlyList<SessionCounterUpdate> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (updates.Count == 0)
        {
            return Task.FromResult(0);
        }

        long now = NowMs;
        return RunAsync("session.counters", async db =>
        {
            // One script per CounterBatch sessions: one round trip for a typical node, and no long-running script.
            var calls = new List<Task<RedisResult>>();
            for (int start = 0; start < updates.Count; start += CounterBatch)
            {
                int end = Math.Min(updates.Count, start + CounterBatch);
                var args = new RedisValue[2 + (5 * (end - start))];
                args[0] = _prefix;
                args[1] = now;
                int j = 2;
                for (int i = start; i < end; i++)
                {
                    SessionCounterUpdate u = updates[i];
                    args[j++] = u.SessionId;
                    args[j++] = u.Counters.BytesIn;
                    args[j++] = u.Counters.BytesOut;
                    args[j++] = u.Counters.PacketsIn;
                    args[j++] = u.Counters.PacketsOut;
                }

                calls.Add(db.ScriptEvaluateAsync(RedisScripts.UpdateCounters, null, args));
            }

            int updated = 0;
            foreach (RedisResult r in await Task.WhenAll(calls).ConfigureAwait(false))
            {
                updated += (int)r;
            }

            return updated;
        }, cancellationToken);
    }

    public Task<bool> RemoveSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        RunAsync("session.remove", async db => (long)await db.ScriptEvaluateAsync(
            RedisScripts.RemoveSession, null, [_prefix, sessionId]).ConfigureAwait(false) == 1, cancellationToken);

    // ---- leases ----

    public Task<LeaseAllocation> AllocateAsync(string userName, string sessionId, string nodeId, CancellationToken cancellationToken = default) =>
        AllocateAsync(_v4, userName, sessionId, nodeId, cancellationToken);

    public Task<bool> ReleaseAsync(string sessionId, CancellationToken cancellationToken = default) =>
        ReleaseAsync(_v4, sessionId, cancellationToken);

    public Task<IpLease?> GetLeaseAsync(IPAddress address, CancellationToken cancellationToken = default) =>
        GetLeaseAsync(_v4, address, cancellationToken);

    public Task<IReadOnlyList<IpLease>> ListLeasesAsync(CancellationToken cancellationToken = default) =>
        ListLeasesAsync(_v4, cancellationToken);

    public Task<PoolUsage> GetPoolUsageAsync(CancellationToken cancellationToken = default) =>
        GetPoolUsageAsync(_v4, cancellationToken);

    private Task<LeaseAllocation> AllocateAsync(LeaseSpace space, string userName, string sessionId, string nodeId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        return RunAsync("lease.allocate", async db =>
        {
            for (int attempt = 0; ; attempt++)
            {
                RedisValue[] args = [space.Prefix, userName, sessionId, nodeId, NowMs, space.Spec, _reclaim];
                var r = (RedisResult[])(await db.ScriptEvaluateAsync(RedisScripts.Allocate, null, args).ConfigureAwait(false))!;
                long code = (long)r[0];
                if (code == -1 && attempt == 0)
                {
                    await InitPoolAsync(space, db).ConfigureAwait(false);
                    continue;
                }

                if (code == 3)
                {
                    return new LeaseAllocation(LeaseOutcome.PoolExhausted, null);
                }

                if (code is < 0 or > 2)
                {
                    throw new InvalidOperationException($"Unexpected allocation result {code} from Redis.");
                }

                var lease = new IpLease(
                    IPAddress.Parse((string)r[1]!), (string)r[2]!, (string)r[3]!, (string)r[4]!, LeaseState.Active,
                    DateTimeOffset.FromUnixTimeMilliseconds((long)r[5]), null);
                return new LeaseAllocation((LeaseOutcome)code, lease);
            }
        }, cancellationToken);
    }

    private Task<bool> ReleaseAsync(LeaseSpace space, string sessionId, CancellationToken cancellationToken = default) =>
        RunAsync("lease.release", async db => (long)await db.ScriptEvaluateAsync(
            RedisScripts.Release, null, [space.Prefix, sessionId, NowMs, _lingerMs]).ConfigureAwait(false) == 1, cancellationToken);

    private Task<IpLease?> GetLeaseAsync(LeaseSpace space, IPAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!space.Pool.Contains(address))
        {
            return Task.FromResult<IpLease?>(null);
        }

        long now = NowMs;
        string a = address.ToString();
        return RunAsync("lease.get", async db => ParseLease(a, await db.HashGetAllAsync(space.Key("lease:" + a)).ConfigureAwait(false), now), cancellationToken);
    }

    private Task<IReadOnlyList<IpLease>> ListLeasesAsync(LeaseSpace space, CancellationToken cancellationToken = default)
    {
        long now = NowMs;
        return RunAsync<IReadOnlyList<IpLease>>("lease.list", async db =>
        {
            Task<RedisValue[]> active = db.HashValuesAsync(space.Key("lsess"));
            Task<RedisValue[]> lingering = db.SortedSetRangeByScoreAsync(space.Key("linger"), now, double.PositiveInfinity, Exclude.Start);
            var addresses = new List<string>();
            foreach (RedisValue v in await active.ConfigureAwait(false))
            {
                addresses.Add(v!);
            }

            foreach (RedisValue v in await lingering.ConfigureAwait(false))
            {
                addresses.Add(v!);
            }

            IBatch batch = db.CreateBatch();
            var reads = new Task<HashEntry[]>[addresses.Count];
            for (int i = 0; i < reads.Length; i++)
            {
                reads[i] = batch.HashGetAllAsync(space.Key("lease:" + addresses[i]));
            }

            batch.Execute();
            await Task.WhenAll(reads).ConfigureAwait(false);
            var result = new List<IpLease>(reads.Length);
            for (int i = 0; i < reads.Length; i++)
            {
                if (ParseLease(addresses[i], reads[i].Result, now) is { } lease)
                {
                    result.Add(lease);
                }
            }

            result.Sort(static (x, y) => IpPool.ToUInt32(x.Address).CompareTo(IpPool.ToUInt32(y.Address)));
            return result;
        }, cancellationToken);
    }

    private Task<PoolUsage> GetPoolUsageAsync(LeaseSpace space, CancellationToken cancellationToken = default)
    {
        long now = NowMs;
        return RunAsync("lease.usage", async db =>
        {
            // MULTI/EXEC: both counts from the same instant, so an address moving from active to lingering is counted once.
            ITransaction transaction = db.CreateTransaction();
            Task<long> used = transaction.HashLengthAsync(space.Key("lsess"));
            Task<long> lingering = transaction.SortedSetLengthAsync(space.Key("linger"), now, double.PositiveInfinity, Exclude.Start);
            await transaction.ExecuteAsync().ConfigureAwait(false);
            int u = (int)await used.ConfigureAwait(false);
            int l = (int)await lingering.ConfigureAwait(false);
            return new PoolUsage(space.Pool.Size, u, l, space.Pool.Size - u - l);
        }, cancellationToken);
    }

    private async Task InitPoolAsync(LeaseSpace space, IDatabase db)
    {
        long r = (long)await db.ScriptEvaluateAsync(RedisScripts.InitPool, null, space.InitArgs).ConfigureAwait(false);
        if (r == -1)
        {
            throw new InvalidOperationException(
                $"The Redis store under prefix '{space.Prefix}' holds active leases from a different pool than this node's " +
                $"({space.Spec}). Every node must use the same State:Pool and State:Ipv6Prefix settings.");
        }
    }

    // ---- nodes ----

    public Task<NodeInfo> RegisterNodeAsync(string nodeId, string? endpoint = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        long now = NowMs;
        return RunAsync("node.register", async db =>
        {
            await db.ScriptEvaluateAsync(RedisScripts.RegisterNode, null,
                [_prefix, nodeId, endpoint ?? string.Empty, now, now + _ttlMs, _lingerMs]).ConfigureAwait(false);
            DateTimeOffset t = DateTimeOffset.FromUnixTimeMilliseconds(now);
            return new NodeInfo(nodeId, endpoint, NodeState.Active, t, t, t.AddMilliseconds(_ttlMs), null);
        }, cancellationToken);
    }

    public Task<bool> HeartbeatAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        long now = NowMs;
        return RunAsync("node.heartbeat", async db => (long)await db.ScriptEvaluateAsync(
            RedisScripts.Heartbeat, null, [_prefix, nodeId, now, now + _ttlMs]).ConfigureAwait(false) == 1, cancellationToken);
    }

    public Task<bool> SetDrainAsync(string nodeId, DateTimeOffset? drainDeadline, CancellationToken cancellationToken = default)
    {
        RedisValue deadline = drainDeadline is { } d ? d.ToUnixTimeMilliseconds() : string.Empty;
        return RunAsync("node.drain", async db => (long)await db.ScriptEvaluateAsync(
            RedisScripts.SetDrain, null, [_prefix, nodeId, deadline]).ConfigureAwait(false) == 1, cancellationToken);
    }

    public Task<bool> UnregisterNodeAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        long now = NowMs;
        return RunAsync("node.unregister", async db => (long)await db.ScriptEvaluateAsync(
            RedisScripts.UnregisterNode, null, [_prefix, nodeId, now, _lingerMs]).ConfigureAwait(false) == 1, cancellationToken);
    }

    public Task<NodeInfo?> GetNodeAsync(string nodeId, CancellationToken cancellationToken = default) =>
        RunAsync("node.get", async db => ParseNode(nodeId, await db.HashGetAllAsync(Key("n:", nodeId)).ConfigureAwait(false)), cancellationToken);

    public Task<IReadOnlyList<NodeInfo>> ListNodesAsync(CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<NodeInfo>>("node.list", async db =>
        {
            RedisValue[] ids = await db.SortedSetRangeByRankAsync(Key("nodes")).ConfigureAwait(false);
            IBatch batch = db.CreateBatch();
            var reads = new Task<HashEntry[]>[ids.Length];
            for (int i = 0; i < ids.Length; i++)
            {
                reads[i] = batch.HashGetAllAsync(Key("n:", ids[i]!));
            }

            batch.Execute();
            await Task.WhenAll(reads).ConfigureAwait(false);
            var result = new List<NodeInfo>(ids.Length);
            for (int i = 0; i < ids.Length; i++)
            {
                if (ParseNode(ids[i]!, reads[i].Result) is { } node)
                {
                    result.Add(node);
                }
            }

            result.Sort(static (a, b) => string.CompareOrdinal(a.NodeId, b.NodeId));
            return result;
        }, cancellationToken);

    public Task<SweepResult> SweepExpiredNodesAsync(CancellationToken cancellationToken = default)
    {
        long now = NowMs;
        return RunAsync("node.sweep", async db =>
        {
            var removed = new List<string>();
            int leases = 0, sessions = 0;
            while (true)
            {
                var r = (RedisResult[])(await db.ScriptEvaluateAsync(
                    RedisScripts.Sweep, null, [_prefix, now, _lingerMs, SweepBatch]).ConfigureAwait(false))!;
                for (int i = 0; i + 2 < r.Length; i += 3)
                {
                    removed.Add((string)r[i]!);
                    leases += (int)r[i + 1];
                    sessions += (int)r[i + 2];
                }

                if (r.Length < 3 * SweepBatch)
                {
                    break;
                }
            }

            _metrics.NodesSwept(removed.Count);
            removed.Sort(StringComparer.Ordinal);
            return removed.Count == 0 ? SweepResult.Empty : new SweepResult(removed, leases, sessions);
        }, cancellationToken);
    }

    // ---- commands ----

    public Task<bool> SendAsync(NodeCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        command = command with { CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(command.CreatedAt.ToUnixTimeMilliseconds()) };
        string json = JsonSerializer.Serialize(command, StateJsonContext.Default.NodeCommand);
        return RunAsync("command.send", async db => (long)await db.ScriptEvaluateAsync(
            RedisScripts.SendCommand, null, [_prefix, command.NodeId, command.CommandId, json]).ConfigureAwait(false) == 1, cancellationToken);
    }

    public Task<IReadOnlyList<NodeCommand>> GetPendingCommandsAsync(string nodeId, CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<NodeCommand>>("command.poll", async db =>
        {
            RedisValue[] values = await db.HashValuesAsync(Key("nc:", nodeId)).ConfigureAwait(false);
            var result = new List<NodeCommand>(values.Length);
            foreach (RedisValue v in values)
            {
                if (DeserializeCommand(v) is { } c)
                {
                    result.Add(c);
                }
            }

            result.Sort(static (a, b) =>
            {
                int c = a.CreatedAt.CompareTo(b.CreatedAt);
                return c != 0 ? c : string.CompareOrdinal(a.CommandId, b.CommandId);
            });
            return result;
        }, cancellationToken);

    public Task<bool> AcknowledgeCommandAsync(string nodeId, string commandId, CancellationToken cancellationToken = default) =>
        RunAsync("command.ack", db => db.HashDeleteAsync(Key("nc:", nodeId), commandId), cancellationToken);

    public Task<IAsyncDisposable> SubscribeCommandsAsync(string nodeId, Func<NodeCommand, Task> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        RedisChannel channel = RedisChannel.Literal(_prefix + "nc:" + nodeId);
        return RunAsync<IAsyncDisposable>("command.subscribe", async _ =>
        {
            ChannelMessageQueue queue = await _connection.GetSubscriber().SubscribeAsync(channel).ConfigureAwait(false);
            queue.OnMessage(async message =>
            {
                if (DeserializeCommand(message.Message) is not { } command)
                {
                    return;
                }

                try
                {
                    await handler(command).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // A failing handler must not stop delivery; the command stays pending and is polled again.
                }
            });
            return new Subscription(queue);
        }, cancellationToken);
    }

    // ---- health ----

    public async Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            TimeSpan latency = await Db.PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return new StoreHealth(true, StateProvider.Redis, latency, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new StoreHealth(false, StateProvider.Redis, TimeSpan.Zero, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    // ---- plumbing ----

    private async Task<T> RunAsync<T>(string operation, Func<IDatabase, Task<T>> action, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await action(Db).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            _metrics.StoreFailed(StateProvider.Redis, operation, ex.GetType().Name);
            throw new StoreUnavailableException($"The session store (Redis) is unavailable ({operation}): {ex.Message}", ex)
            {
                Operation = operation,
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _metrics.StoreFailed(StateProvider.Redis, operation, ex.GetType().Name);
            throw;
        }
    }

    private Task RunAsync(string operation, Func<IDatabase, Task<RedisResult>> action, CancellationToken cancellationToken) =>
        RunAsync<RedisResult>(operation, action, cancellationToken);

    /// <summary>Errors that mean "cannot reach a usable server now" rather than a bug in the request.</summary>
    internal static bool IsUnavailable(Exception ex) => ex switch
    {
        RedisConnectionException or RedisTimeoutException or TimeoutException => true,
        RedisServerException s => s.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || s.Message.StartsWith("READONLY", StringComparison.Ordinal)
            || s.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
            || s.Message.StartsWith("BUSY", StringComparison.Ordinal)
            || s.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
            || s.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal),
        _ => false,
    };

    private RedisKey Key(string name) => _prefix + name;

    private RedisKey Key(string kind, string id) => string.Concat(_prefix, kind, id);

    private RedisKey SessionKey(string sessionId) => Key("s:", sessionId);

    private static void AddIf(List<RedisValue> args, string field, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            args.Add(field);
            args.Add(value);
        }
    }

    private static SessionRecord? ParseSession(string sessionId, HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return null;
        }

        string user = string.Empty, node = string.Empty;
        IPAddress? v4 = null, v6 = null;
        IPEndPoint? outer = null;
        long start = 0, bi = 0, bo = 0, pi = 0, po = 0;
        long? cu = null;
        int st = 0;
        string? reason = null;
        foreach (HashEntry e in entries)
        {
            switch ((string)e.Name!)
            {
                case "user": user = e.Value!; break;
                case "node": node = e.Value!; break;
                case "v4": v4 = IPAddress.Parse((string)e.Value!); break;
                case "v6": v6 = IPAddress.Parse((string)e.Value!); break;
                case "outer": outer = IPEndPoint.Parse((string)e.Value!); break;
                case "start": start = (long)e.Value; break;
                case "st": st = (int)e.Value; break;
                case "bi": bi = (long)e.Value; break;
                case "bo": bo = (long)e.Value; break;
                case "pi": pi = (long)e.Value; break;
                case "po": po = (long)e.Value; break;
                case "cu": cu = (long)e.Value; break;
                case "reason": reason = e.Value; break;
                default: break;
            }
        }

        return new SessionRecord(
            sessionId, user, node, v4, v6, outer, DateTimeOffset.FromUnixTimeMilliseconds(start), (SessionState)st,
            new SessionCounters(bi, bo, pi, po), cu is { } c ? DateTimeOffset.FromUnixTimeMilliseconds(c) : null, reason);
    }

    private static IpLease? ParseLease(string address, HashEntry[] entries, long now)
    {
        if (entries.Length == 0)
        {
            return null;
        }

        string user = string.Empty, session = string.Empty, node = string.Empty;
        long leasedAt = 0;
        long? until = null;
        var state = LeaseState.Active;
        foreach (HashEntry e in entries)
        {
            switch ((string)e.Name!)
            {
                case "u": user = e.Value!; break;
                case "s": session = e.Value!; break;
                case "n": node = e.Value!; break;
                case "t": leasedAt = (long)e.Value; break;
                case "l": until = (long)e.Value; break;
                case "st": state = (int)e.Value == 1 ? LeaseState.Lingering : LeaseState.Active; break;
                default: break;
            }
        }

        if (state == LeaseState.Lingering && (until is null || until.Value <= now))
        {
            return null;
        }

        return new IpLease(IPAddress.Parse(address), user, session, node, state, DateTimeOffset.FromUnixTimeMilliseconds(leasedAt),
            state == LeaseState.Lingering ? DateTimeOffset.FromUnixTimeMilliseconds(until!.Value) : null);
    }

    private static NodeInfo? ParseNode(string nodeId, HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return null;
        }

        string? endpoint = null;
        long reg = 0, hb = 0, exp = 0;
        long? drain = null;
        var state = NodeState.Active;
        foreach (HashEntry e in entries)
        {
            switch ((string)e.Name!)
            {
                case "ep": endpoint = e.Value.IsNullOrEmpty ? null : (string)e.Value!; break;
                case "st": state = (int)e.Value == 1 ? NodeState.Draining : NodeState.Active; break;
                case "reg": reg = (long)e.Value; break;
                case "hb": hb = (long)e.Value; break;
                case "exp": exp = (long)e.Value; break;
                case "drain": drain = (long)e.Value; break;
                default: break;
            }
        }

        return new NodeInfo(nodeId, endpoint, state, DateTimeOffset.FromUnixTimeMilliseconds(reg), DateTimeOffset.FromUnixTimeMilliseconds(hb),
            DateTimeOffset.FromUnixTimeMilliseconds(exp), drain is { } d ? DateTimeOffset.FromUnixTimeMilliseconds(d) : null);
    }

    private static NodeCommand? DeserializeCommand(RedisValue value)
    {
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize((string)value!, StateJsonContext.Default.NodeCommand);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>One lease pool's key space: the prefix its lease keys live under, the pool and its canonical spec.</summary>
    private sealed class LeaseSpace
    {
        public LeaseSpace(string prefix, IpPool pool, string spec)
        {
            Prefix = prefix;
            Pool = pool;
            Spec = spec;
            var init = new List<RedisValue> { prefix, spec, pool.Size, pool.First, pool.Last };
            foreach (uint x in pool.Excluded)
            {
                init.Add(x);
            }

            InitArgs = [.. init];
        }

        public string Prefix { get; }

        public IpPool Pool { get; }

        public string Spec { get; }

        public RedisValue[] InitArgs { get; }

        public RedisKey Key(string name) => Prefix + name;
    }

    /// <summary>The second lease pool as an <see cref="IIpLeaseStore"/> (its addresses are prefix numbers).</summary>
    private sealed class LeaseSpaceStore(RedisStateStore store, LeaseSpace space) : IIpLeaseStore
    {
        public IpPool Pool => space.Pool;

        public Task<LeaseAllocation> AllocateAsync(string userName, string sessionId, string nodeId, CancellationToken cancellationToken = default) =>
            store.AllocateAsync(space, userName, sessionId, nodeId, cancellationToken);

        public Task<bool> ReleaseAsync(string sessionId, CancellationToken cancellationToken = default) =>
            store.ReleaseAsync(space, sessionId, cancellationToken);

        public Task<IpLease?> GetLeaseAsync(IPAddress address, CancellationToken cancellationToken = default) =>
            store.GetLeaseAsync(space, address, cancellationToken);

        public Task<IReadOnlyList<IpLease>> ListLeasesAsync(CancellationToken cancellationToken = default) =>
            store.ListLeasesAsync(space, cancellationToken);

        public Task<PoolUsage> GetPoolUsageAsync(CancellationToken cancellationToken = default) =>
            store.GetPoolUsageAsync(space, cancellationToken);
    }

    private sealed class Subscription(ChannelMessageQueue queue) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await queue.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (IsUnavailable(ex))
            {
                // The server is gone; the subscription is dropped with the connection anyway.
            }
        }
    }
}
