using Microsoft.Extensions.Logging;

namespace Gateway.Sessions;

/// <summary>
/// Log events of the session pump (event ids 400-499). At Information a session that comes up and ends normally writes
/// three lines (started, network up, ended); the steps in between (authenticated, PPP layers opened, SSTP call
/// connected and closed) are Debug here and in PppLog/AuthLog/SstpLog. With the console logger every line is a write(2) plus
/// a wake-up of its thread: the ~12 lines a session used to write were ~10% of the gateway's CPU per session setup.
/// </summary>
internal static partial class SessionLog
{
    [LoggerMessage(400, LogLevel.Information, "Session {SessionId} started from {Remote} (correlation {CorrelationId}, {Tls})")]
    public static partial void Started(ILogger logger, string sessionId, string? remote, string? correlationId, string? tls);

    [LoggerMessage(401, LogLevel.Debug, "Session {SessionId}: user {User} authenticated")]
    public static partial void Authenticated(ILogger logger, string sessionId, string user);

    [LoggerMessage(402, LogLevel.Warning, "Session {SessionId}: authentication failed for {User}: {Reason}")]
    public static partial void AuthenticationFailed(ILogger logger, string sessionId, string? user, string reason);

    [LoggerMessage(403, LogLevel.Information, "Session {SessionId}: network up, client address {Address}")]
    public static partial void NetworkUp(ILogger logger, string sessionId, string address);

    [LoggerMessage(404, LogLevel.Warning, "Session {SessionId}: no address for {User}: {Reason}")]
    public static partial void NoAddress(ILogger logger, string sessionId, string user, string reason);

    [LoggerMessage(405, LogLevel.Information, "Session {SessionId} ended: {Reason} (up {UpBytes} B / down {DownBytes} B, {DroppedSpoofed} spoofed dropped)")]
    public static partial void Ended(ILogger logger, string sessionId, string reason, long upBytes, long downBytes, long droppedSpoofed);

    [LoggerMessage(406, LogLevel.Debug, "Session {SessionId}: PPP link terminated: {Reason}")]
    public static partial void LinkTerminated(ILogger logger, string sessionId, string reason);

    [LoggerMessage(407, LogLevel.Warning, "Session {SessionId}: framing error, connection dropped: {Error}")]
    public static partial void FramingError(ILogger logger, string sessionId, string error);

    [LoggerMessage(408, LogLevel.Warning, "Session {SessionId}: address {Address} is already routed to another session")]
    public static partial void RouteConflict(ILogger logger, string sessionId, string address);

    [LoggerMessage(409, LogLevel.Information, "Session {SessionId}: disconnecting: {Reason}")]
    public static partial void Disconnecting(ILogger logger, string sessionId, string reason);

    [LoggerMessage(410, LogLevel.Error, "Session {SessionId}: unexpected error")]
    public static partial void Failed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(411, LogLevel.Information, "Session {SessionId}: IPv6 up")]
    public static partial void Ipv6Up(ILogger logger, string sessionId);

    [LoggerMessage(412, LogLevel.Information, "Session {SessionId}: IPv6 prefix {Prefix}/64 routed, advertising it")]
    public static partial void Ipv6Routed(ILogger logger, string sessionId, string prefix);

    [LoggerMessage(413, LogLevel.Warning, "Session {SessionId}: no IPv6 prefix for {User}: {Reason}; the session runs IPv4 only")]
    public static partial void NoIpv6Prefix(ILogger logger, string sessionId, string user, string reason);
}
