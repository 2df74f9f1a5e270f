namespace Gateway.State;

/// <summary>Redis connection settings (configuration section <c>State:Redis</c>).</summary>
public sealed class RedisStateOptions
{
    /// <summary><c>State:Redis:Configuration</c>: a StackExchange.Redis configuration string (<c>host:port,password=...</c>).</summary>
    public string Configuration { get; set; } = "127.0.0.1:6379";

    /// <summary><c>State:Redis:ConnectTimeout</c>: time allowed for one connect attempt.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// <c>State:Redis:OperationTimeout</c>: a call that gets no answer within this time fails with
    /// <see cref="StoreUnavailableException"/>. While the connection is down, calls fail at once (no backlog).
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
