namespace Gateway.State;

/// <summary>
/// Sessions of the whole cluster. Every call may throw <see cref="StoreUnavailableException"/> when the backing store
/// cannot be reached.
/// </summary>
public interface ISessionStore
{
    /// <summary>Creates or replaces a session (indexes by user and node follow the new values).</summary>
    Task PutSessionAsync(SessionRecord session, CancellationToken cancellationToken = default);

    /// <summary>The session, or null.</summary>
    Task<SessionRecord?> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Sessions matching <paramref name="filter"/>, ordered by start time then id.</summary>
    Task<IReadOnlyList<SessionRecord>> ListSessionsAsync(SessionFilter filter, CancellationToken cancellationToken = default);

    /// <summary>Sets the state (and the disconnect reason, when given); false if the session does not exist.</summary>
    Task<bool> SetSessionStateAsync(string sessionId, SessionState state, string? disconnectReason = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Refreshes the counters of many sessions in one round trip (a node calls this every few seconds for all its
    /// sessions). Unknown sessions are skipped, never created. Returns how many sessions were updated.
    /// </summary>
    Task<int> UpdateCountersAsync(IReadOnlyList<SessionCounterUpdate> updates, CancellationToken cancellationToken = default);

    /// <summary>Removes a session; false if it did not exist. Does not release its lease (see <see cref="IIpLeaseStore.ReleaseAsync"/>).</summary>
    Task<bool> RemoveSessionAsync(string sessionId, CancellationToken cancellationToken = default);
}
