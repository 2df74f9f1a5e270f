namespace Gateway.State;

/// <summary>Address pool statistics: <c>Size = Used + Lingering + Free</c>.</summary>
public readonly record struct PoolUsage(int Size, int Used, int Lingering, int Free);
