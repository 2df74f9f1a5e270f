namespace Gateway.State;

/// <summary>Result of <see cref="IStoreHealth.CheckHealthAsync"/>.</summary>
public sealed record StoreHealth(bool IsHealthy, StateProvider Provider, TimeSpan Latency, string? Error);
