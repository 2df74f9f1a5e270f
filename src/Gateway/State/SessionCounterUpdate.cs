namespace Gateway.State;

/// <summary>One entry of a batch counter refresh (<see cref="ISessionStore.UpdateCountersAsync"/>).</summary>
public readonly record struct SessionCounterUpdate(string SessionId, SessionCounters Counters);
