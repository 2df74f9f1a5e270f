namespace Gateway.State;

/// <summary>Options of the session store, bound from the <c>State</c> configuration section.</summary>
public sealed class StateOptions
{
    public const string SectionName = "State";

    /// <summary><c>State:Provider</c>: Memory (default) or Redis.</summary>
    public StateProvider Provider { get; set; } = StateProvider.Memory;

    /// <summary>
    /// <c>State:KeyPrefix</c>: prepended to every Redis key and channel, so several gateways (or test runs) can share
    /// one redis-server. Wrap it in braces (e.g. <c>{sstp}:</c>) to keep all keys in one Redis Cluster hash slot.
    /// </summary>
    public string KeyPrefix { get; set; } = "sstp:";

    /// <summary><c>State:NodeId</c>: this node's identity in the cluster; defaults to the host name (the pod name).</summary>
    public string? NodeId { get; set; }

    /// <summary><c>State:NodeEndpoint</c>: optional address under which other nodes/admins reach this node.</summary>
    public string? NodeEndpoint { get; set; }

    /// <summary><c>State:Pool:*</c>: the IPv4 address pool for the clients' inner addresses.</summary>
    public IpPoolOptions Pool { get; set; } = new();

    /// <summary>
    /// <c>State:Ipv6Prefix</c>: the pool of /64 prefixes, one per session (e.g. <c>fd53:5354:5000::/48</c>); empty: no
    /// IPv6 in the data plane. The gateway sets it from <c>Tunnel:Ipv6Prefix</c> unless set here. Leased like the IPv4
    /// addresses (same linger, same node clean-up), in a key space of its own.
    /// </summary>
    public string? Ipv6Prefix { get; set; }

    /// <summary><c>State:Redis:*</c>: the Redis connection.</summary>
    public RedisStateOptions Redis { get; set; } = new();

    /// <summary><c>State:HeartbeatInterval</c>: how often a node refreshes its registration and runs the sweep.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>State:NodeTtl</c>: a node whose last heartbeat is older than this is considered dead and swept.</summary>
    public TimeSpan NodeTtl { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary><c>State:CommandPollInterval</c>: how often a node polls its durable command list (pub/sub may miss).</summary>
    public TimeSpan CommandPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>State:RunNodeHeartbeat</c>: register this node, heartbeat and sweep from a hosted service.</summary>
    public bool RunNodeHeartbeat { get; set; } = true;

    /// <summary>The node id to use: <see cref="NodeId"/> or the machine name.</summary>
    public string ResolveNodeId() => string.IsNullOrWhiteSpace(NodeId) ? Environment.MachineName : NodeId;

    /// <summary>The parsed <see cref="Ipv6Prefix"/>, or null when IPv6 is off.</summary>
    public Ipv6PrefixPool? ResolveIpv6Prefixes() =>
        string.IsNullOrWhiteSpace(Ipv6Prefix) ? null : Ipv6PrefixPool.Parse(Ipv6Prefix, "State:Ipv6Prefix");

    /// <summary>Throws <see cref="ArgumentException"/> with a clear message for an unusable configuration.</summary>
    public void Validate()
    {
        if (HeartbeatInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("State:HeartbeatInterval must be positive.");
        }

        if (NodeTtl <= HeartbeatInterval)
        {
            throw new ArgumentException("State:NodeTtl must be longer than State:HeartbeatInterval (e.g. 3x).");
        }

        if (Pool.LeaseLinger < TimeSpan.Zero)
        {
            throw new ArgumentException("State:Pool:LeaseLinger must not be negative.");
        }

        if (Provider == StateProvider.Redis && string.IsNullOrWhiteSpace(Redis.Configuration))
        {
            throw new ArgumentException("State:Redis:Configuration is required when State:Provider is Redis.");
        }

        _ = IpPool.FromOptions(Pool);
        _ = ResolveIpv6Prefixes();
    }
}
