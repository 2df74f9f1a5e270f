namespace Admin.Backend;

/// <summary>Session operations over the whole cluster (implemented by the gateway over the shared session store).</summary>
public interface ISessionAdmin
{
    Task<AdminResult<SessionPage>> ListSessionsAsync(SessionQuery query, CancellationToken cancellationToken);

    Task<AdminResult<SessionInfo>> GetSessionAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>
    /// Asks the node owning the session to end it: the node sends SSTP CALL_DISCONNECT (MS-SSTP 3.2.5.2) and logs
    /// <paramref name="reason"/>. Ok means the request was accepted (delivered to the owner), not that the session is gone yet.
    /// </summary>
    Task<AdminResult> DisconnectSessionAsync(string sessionId, string? reason, CancellationToken cancellationToken);
}
