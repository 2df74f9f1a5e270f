using Microsoft.Extensions.Logging;

namespace Gateway.Ppp.Auth;

/// <summary>Source-generated log messages of the PPP authenticators (event IDs 3100-3199).</summary>
internal static partial class AuthLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Debug, Message = "{Method} authentication succeeded for user '{UserName}'")]
    public static partial void Succeeded(ILogger logger, AuthMethod method, string userName);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "{Method} authentication failed for user '{UserName}': {Reason}")]
    public static partial void Failed(ILogger logger, AuthMethod method, string? userName, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "{Method} packet discarded: {Reason}")]
    public static partial void Discarded(ILogger logger, AuthMethod method, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "{Method} retransmission {Count}")]
    public static partial void Retransmit(ILogger logger, AuthMethod method, int count);
}
