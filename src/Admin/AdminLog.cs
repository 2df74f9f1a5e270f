using System.Net;
using Microsoft.Extensions.Logging;

namespace Admin;

/// <summary>Admin API log messages (event ids 9000-9099). Audit entries name the API key by index, never the key.</summary>
internal static partial class AdminLog
{
    public const string Category = "Admin.AdminApi";

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Admin API authentication failed from {RemoteAddress}: {Reason}")]
    public static partial void AuthenticationFailed(ILogger logger, string reason, IPAddress? remoteAddress);

    [LoggerMessage(EventId = 9010, Level = LogLevel.Information, Message = "Admin {Principal}: {Action} {Target} -> {Status}")]
    public static partial void Audit(ILogger logger, string? principal, string action, string target, string status);

    [LoggerMessage(EventId = 9020, Level = LogLevel.Warning, Message = "Admin backend unavailable during {Path}")]
    public static partial void BackendUnavailable(ILogger logger, string path, Exception exception);
}
