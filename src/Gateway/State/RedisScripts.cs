namespace Gateway.State;

/// <summary>
/// The Lua scripts behind <see cref="RedisStateStore"/>. Every multi-key change is one script, so it is atomic across all
/// nodes (Redis runs scripts one at a time): an address can never be handed out twice, and concurrent sweeps clean a
/// dead node exactly once. ARGV[1] is always the key prefix; times are Unix milliseconds from the caller's clock.
/// Keys are built inside the scripts, which is fine on a standalone/Sentinel Redis (and on a Cluster when the prefix
/// carries a hash tag).
/// </summary>
/// <remarks>
/// Layout (p = prefix): <c>p s:{id}</c> session hash; <c>p sessions</c>, <c>p ns:{node}</c>, <c>p us:{user}</c> session id
/// sets; <c>p pool</c> pool meta hash; <c>p free</c> free addresses (zset, score = pool index for never used, free time
/// otherwise: least recently used first); <c>p lease:{addr}</c> lease hash (u, s, n, st 0 active/1 lingering, t, l);
/// <c>p lsess</c> session -> active address; <c>p linger</c> lingering addresses (zset by linger end); <c>p luser</c> user
/// -> lingering address; <c>p nl:{node}</c> a node's active addresses; the same lease keys again under
/// <c>p v6:</c> for the /64 prefix pool (addresses are prefix numbers there); <c>p nodes</c> zset node -> expiry; <c>p n:{node}</c>
/// node hash; <c>p nc:{node}</c> pending commands hash (id -> json), also the pub/sub channel name.
/// </remarks>
internal static class RedisScripts
{
    /// <summary>
    /// Key space of the second lease pool (IPv6 /64 prefixes by number) under the prefix: the lease scripts run on it
    /// with ARGV[1] = prefix + this, and a node's clean-up releases its leases in both pools.
    /// </summary>
    public const string Ipv6LeaseSpace = "v6:";

    private const string Common = $$"""
        local p = ARGV[1]
        local function free_addr(lp, a, score)
          redis.call('DEL', lp..'lease:'..a)
          redis.call('ZADD', lp..'free', score, a)
        end
        local function forget_user(lp, a)
          local u = redis.call('HGET', lp..'lease:'..a, 'u')
          if u and redis.call('HGET', lp..'luser', u) == a then redis.call('HDEL', lp..'luser', u) end
        end
        local function expire_one(lp, a, now)
          forget_user(lp, a)
          redis.call('ZREM', lp..'linger', a)
          free_addr(lp, a, now)
        end
        local function expire_lingering(lp, now)
          local due = redis.call('ZRANGEBYSCORE', lp..'linger', '-inf', now, 'LIMIT', 0, 256)
          for _, a in ipairs(due) do expire_one(lp, a, now) end
        end
        local function release_session(lp, sid, now, linger)
          local a = redis.call('HGET', lp..'lsess', sid)
          if not a then return 0 end
          redis.call('HDEL', lp..'lsess', sid)
          local k = lp..'lease:'..a
          local f = redis.call('HMGET', k, 'u', 'n')
          if f[2] then redis.call('SREM', lp..'nl:'..f[2], a) end
          if linger <= 0 then
            free_addr(lp, a, now)
          else
            local untilms = string.format('%d', now + linger)
            redis.call('HSET', k, 'st', '1', 'l', untilms)
            redis.call('ZADD', lp..'linger', untilms, a)
            if f[1] then redis.call('HSET', lp..'luser', f[1], a) end
          end
          return 1
        end
        local function cleanup_node(node, now, linger)
          local leases = 0
          for _, lp in ipairs({p, p..'{{Ipv6LeaseSpace}}'}) do
            local nl = lp..'nl:'..node
            for _, a in ipairs(redis.call('SMEMBERS', nl)) do
              local sid = redis.call('HGET', lp..'lease:'..a, 's')
              if sid then leases = leases + release_session(lp, sid, now, linger) end
            end
            redis.call('DEL', nl)
          end
          local ns = p..'ns:'..node
          local sessions = 0
          for _, sid in ipairs(redis.call('SMEMBERS', ns)) do
            local k = p..'s:'..sid
            local u = redis.call('HGET', k, 'user')
            if u then redis.call('SREM', p..'us:'..u, sid) end
            sessions = sessions + redis.call('DEL', k)
            redis.call('SREM', p..'sessions', sid)
          end
          redis.call('DEL', ns, p..'nc:'..node)
          return {leases, sessions}
        end

        """;

    /// <summary>ARGV: p, sessionId, user, node, field/value pairs.</summary>
    public const string PutSession = Common + """
        local sid, user, node = ARGV[2], ARGV[3], ARGV[4]
        local k = p..'s:'..sid
        local old = redis.call('HMGET', k, 'user', 'node')
        if old[1] and old[1] ~= user then redis.call('SREM', p..'us:'..old[1], sid) end
        if old[2] and old[2] ~= node then redis.call('SREM', p..'ns:'..old[2], sid) end
        redis.call('DEL', k)
        redis.call('HSET', k, 'user', user, 'node', node, unpack(ARGV, 5))
        redis.call('SADD', p..'sessions', sid)
        redis.call('SADD', p..'us:'..user, sid)
        redis.call('SADD', p..'ns:'..node, sid)
        return 1
        """;

    /// <summary>ARGV: p, sessionId, state, reason ('' keeps the current one). Returns 1, or 0 if unknown.</summary>
    public const string SetSessionState = Common + """
        local k = p..'s:'..ARGV[2]
        if redis.call('EXISTS', k) == 0 then return 0 end
        redis.call('HSET', k, 'st', ARGV[3])
        if ARGV[4] ~= '' then redis.call('HSET', k, 'reason', ARGV[4]) end
        return 1
        """;

    /// <summary>ARGV: p, now, then (sessionId, bytesIn, bytesOut, packetsIn, packetsOut)*. Returns sessions updated.</summary>
    public const string UpdateCounters = Common + """
        local n = 0
        for i = 3, #ARGV, 5 do
          local k = p..'s:'..ARGV[i]
          if redis.call('EXISTS', k) == 1 then
            redis.call('HSET', k, 'bi', ARGV[i+1], 'bo', ARGV[i+2], 'pi', ARGV[i+3], 'po', ARGV[i+4], 'cu', ARGV[2])
            n = n + 1
          end
        end
        return n
        """;

    /// <summary>ARGV: p, sessionId. Returns 1, or 0 if unknown.</summary>
    public const string RemoveSession = Common + """
        local sid = ARGV[2]
        local k = p..'s:'..sid
        local f = redis.call('HMGET', k, 'user', 'node')
        if redis.call('DEL', k) == 0 then return 0 end
        redis.call('SREM', p..'sessions', sid)
        if f[1] then redis.call('SREM', p..'us:'..f[1], sid) end
        if f[2] then redis.call('SREM', p..'ns:'..f[2], sid) end
        return 1
        """;

    /// <summary>
    /// ARGV: p, spec, size, first, last, excluded*. Fills the free set once per pool spec. Returns 0 (already done),
    /// 1 (initialised) or -1 (another spec is in use with active leases).
    /// </summary>
    public const string InitPool = Common + """
        local spec = ARGV[2]
        local cur = redis.call('HGET', p..'pool', 'spec')
        if cur == spec then return 0 end
        if cur then
          if redis.call('HLEN', p..'lsess') > 0 then return -1 end
          for _, a in ipairs(redis.call('ZRANGE', p..'linger', 0, -1)) do redis.call('DEL', p..'lease:'..a) end
          redis.call('DEL', p..'linger', p..'luser', p..'free')
        end
        local first, last = tonumber(ARGV[4]), tonumber(ARGV[5])
        local ex = {}
        for i = 6, #ARGV do ex[tonumber(ARGV[i])] = true end
        local batch = {}
        for v = first, last do
          if not ex[v] then
            batch[#batch + 1] = v - first
            batch[#batch + 1] = string.format('%d.%d.%d.%d', math.floor(v / 16777216) % 256, math.floor(v / 65536) % 256, math.floor(v / 256) % 256, v % 256)
            if #batch >= 1000 then
              redis.call('ZADD', p..'free', unpack(batch))
              batch = {}
            end
          end
        end
        if #batch > 0 then redis.call('ZADD', p..'free', unpack(batch)) end
        redis.call('HSET', p..'pool', 'spec', spec, 'size', ARGV[3])
        return 1
        """;

    /// <summary>
    /// ARGV: p, user, sessionId, node, now, spec, reclaim ('1'/'0'). Returns {-1} (pool not initialised for spec),
    /// {3} (exhausted) or {outcome, addr, user, session, node, leasedAt} with outcome 0 allocated, 1 restored, 2 existing.
    /// </summary>
    public const string Allocate = Common + """
        local user, sid, node, now, spec, reclaim = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], ARGV[7]
        if redis.call('HGET', p..'pool', 'spec') ~= spec then return {-1} end
        expire_lingering(p, now)
        local a = redis.call('HGET', p..'lsess', sid)
        local code = 2
        if not a then
          a = redis.call('HGET', p..'luser', user)
          if a then
            local sc = redis.call('ZSCORE', p..'linger', a)
            if sc and tonumber(sc) > now then
              redis.call('HDEL', p..'luser', user)
              redis.call('ZREM', p..'linger', a)
              code = 1
            else
              if sc then expire_one(p, a, now) else redis.call('HDEL', p..'luser', user) end
              a = false
            end
          end
          if not a then
            local f = redis.call('ZPOPMIN', p..'free')
            if #f > 0 then
              a = f[1]
            elseif reclaim == '1' then
              f = redis.call('ZPOPMIN', p..'linger')
              if #f == 0 then return {3} end
              a = f[1]
              forget_user(p, a)
            else
              return {3}
            end
            code = 0
          end
          local k = p..'lease:'..a
          redis.call('DEL', k)
          redis.call('HSET', k, 'u', user, 's', sid, 'n', node, 'st', '0', 't', ARGV[5])
          redis.call('HSET', p..'lsess', sid, a)
          redis.call('SADD', p..'nl:'..node, a)
        end
        local l = redis.call('HMGET', p..'lease:'..a, 'u', 's', 'n', 't')
        return {code, a, l[1], l[2], l[3], l[4]}
        """;

    /// <summary>ARGV: p, sessionId, now, lingerMs. Returns 1, or 0 if the session held no lease.</summary>
    public const string Release = Common + """
        return release_session(p, ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
        """;

    /// <summary>ARGV: p, node, endpoint, now, expiry, lingerMs. Returns {leases released, sessions removed} of the previous incarnation.</summary>
    public const string RegisterNode = Common + """
        local node, now = ARGV[2], tonumber(ARGV[4])
        local r = cleanup_node(node, now, tonumber(ARGV[6]))
        local k = p..'n:'..node
        redis.call('DEL', k)
        redis.call('HSET', k, 'ep', ARGV[3], 'st', '0', 'reg', ARGV[4], 'hb', ARGV[4], 'exp', ARGV[5])
        redis.call('ZADD', p..'nodes', ARGV[5], node)
        return r
        """;

    /// <summary>ARGV: p, node, now, expiry. Returns 1, or 0 if the node is not registered.</summary>
    public const string Heartbeat = Common + """
        if not redis.call('ZSCORE', p..'nodes', ARGV[2]) then return 0 end
        redis.call('ZADD', p..'nodes', ARGV[4], ARGV[2])
        redis.call('HSET', p..'n:'..ARGV[2], 'hb', ARGV[3], 'exp', ARGV[4])
        return 1
        """;

    /// <summary>ARGV: p, node, drain deadline ('' = back to active). Returns 1, or 0 if the node is not registered.</summary>
    public const string SetDrain = Common + """
        if not redis.call('ZSCORE', p..'nodes', ARGV[2]) then return 0 end
        local k = p..'n:'..ARGV[2]
        if ARGV[3] == '' then
          redis.call('HSET', k, 'st', '0')
          redis.call('HDEL', k, 'drain')
        else
          redis.call('HSET', k, 'st', '1', 'drain', ARGV[3])
        end
        return 1
        """;

    /// <summary>ARGV: p, node, now, lingerMs. Returns 1, or 0 if the node is not registered.</summary>
    public const string UnregisterNode = Common + """
        local node = ARGV[2]
        if not redis.call('ZSCORE', p..'nodes', node) then return 0 end
        cleanup_node(node, tonumber(ARGV[3]), tonumber(ARGV[4]))
        redis.call('ZREM', p..'nodes', node)
        redis.call('DEL', p..'n:'..node)
        return 1
        """;

    /// <summary>ARGV: p, now, lingerMs, limit. Returns {node, leases, sessions}* for the nodes removed (at most limit).</summary>
    public const string Sweep = Common + """
        local now, linger = tonumber(ARGV[2]), tonumber(ARGV[3])
        local dead = redis.call('ZRANGEBYSCORE', p..'nodes', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[4]))
        local out = {}
        for _, node in ipairs(dead) do
          local r = cleanup_node(node, now, linger)
          redis.call('ZREM', p..'nodes', node)
          redis.call('DEL', p..'n:'..node)
          out[#out + 1] = node
          out[#out + 1] = r[1]
          out[#out + 1] = r[2]
        end
        return out
        """;

    /// <summary>ARGV: p, node, commandId, json. Returns 1, or 0 if the node is not registered.</summary>
    public const string SendCommand = Common + """
        if not redis.call('ZSCORE', p..'nodes', ARGV[2]) then return 0 end
        redis.call('HSET', p..'nc:'..ARGV[2], ARGV[3], ARGV[4])
        redis.call('PUBLISH', p..'nc:'..ARGV[2], ARGV[4])
        return 1
        """;
}
