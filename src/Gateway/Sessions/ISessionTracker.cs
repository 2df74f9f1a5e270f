namespace Gateway.Sessions;

/// <summary>Told when a session's network comes up and when it ends (the session store records it).</summary>
public interface ISessionTracker
{
    /// <summary>IPCP is up: the session is active with its address. Must not throw or block.</summary>
    void OnActive(GatewaySession session);

    /// <summary>The session is over. Must not throw.</summary>
    Task OnEndedAsync(GatewaySession session, string reason);
}
