namespace Gateway.State;

/// <summary>Traffic counters of a session, seen from the gateway: "in" = from the client, "out" = to the client.</summary>
public readonly record struct SessionCounters(long BytesIn, long BytesOut, long PacketsIn, long PacketsOut);
