using Microsoft.Extensions.Logging;

namespace Gateway.Ppp;

/// <summary>Source-generated log messages of the PPP engine (event ids 3000-3099).</summary>
internal static partial class PppLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "{Layer}: {From} -> {To}")]
    public static partial void StateChanged(ILogger logger, string layer, NegotiationState from, NegotiationState to);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Dropped PPP frame: {Status}")]
    public static partial void FrameDropped(ILogger logger, PppFrameStatus status);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Dropped malformed {Protocol:X4} packet: {Status}")]
    public static partial void PacketDropped(ILogger logger, ushort protocol, CpParseStatus status);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "{Layer}: malformed options in packet code {Code}")]
    public static partial void MalformedOptions(ILogger logger, string layer, byte code);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "{Layer}: discarded code {Code} with identifier {Identifier} that matches no request")]
    public static partial void InvalidReply(ILogger logger, string layer, byte code, byte identifier);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Protocol-Reject sent for protocol {Protocol:X4}")]
    public static partial void ProtocolRejectSent(ILogger logger, ushort protocol);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Peer rejected protocol {Protocol:X4}")]
    public static partial void ProtocolRejectReceived(ILogger logger, ushort protocol);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Debug, Message = "Authentication with {Method} succeeded for {User}")]
    public static partial void AuthSucceeded(ILogger logger, string method, string user);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Authentication with {Method} failed for {User}: {Reason}")]
    public static partial void AuthFailed(ILogger logger, string method, string? user, string reason);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Debug, Message = "PPP link terminated: {Reason}")]
    public static partial void LinkTerminated(ILogger logger, string reason);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Dropped outgoing {Protocol:X4} packet of {Length} bytes: larger than a PPP frame on SSTP")]
    public static partial void OversizedPacket(ILogger logger, ushort protocol, int length);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Debug, Message = "{Layer} opened")]
    public static partial void LayerOpened(ILogger logger, string layer);
}
