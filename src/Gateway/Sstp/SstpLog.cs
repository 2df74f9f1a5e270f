using Microsoft.Extensions.Logging;

namespace Gateway.Sstp;

/// <summary>Log messages of the SSTP layer (event IDs 1100-1199).</summary>
internal static partial class SstpLog
{
    [LoggerMessage(1100, LogLevel.Warning, "SSTP framing error {Error}; dropping the connection without a message (MS-SSTP 3.1.5.1)")]
    public static partial void FramingError(ILogger logger, SstpParseError error);

    [LoggerMessage(1101, LogLevel.Warning, "SSTP malformed control message ({Error}) in state {State}")]
    public static partial void MalformedControl(ILogger logger, SstpParseError error, SstpState state);

    [LoggerMessage(1102, LogLevel.Warning, "SSTP aborting in state {State}: {Reason} (status {AttributeId}/{Status})")]
    public static partial void Aborting(ILogger logger, SstpState state, string reason, SstpAttributeId attributeId, SstpStatus status);

    [LoggerMessage(1103, LogLevel.Information, "SSTP peer sent CALL_ABORT in state {State} (status {Status})")]
    public static partial void PeerAbort(ILogger logger, SstpState state, string status);

    [LoggerMessage(1104, LogLevel.Debug, "SSTP peer sent CALL_DISCONNECT in state {State}")]
    public static partial void PeerDisconnect(ILogger logger, SstpState state);

    [LoggerMessage(1105, LogLevel.Information, "SSTP disconnecting in state {State}: {Reason}")]
    public static partial void Disconnecting(ILogger logger, SstpState state, string reason);

    [LoggerMessage(1106, LogLevel.Debug, "SSTP session closed: {Reason}")]
    public static partial void Closed(ILogger logger, string reason);

    [LoggerMessage(1107, LogLevel.Warning, "SSTP CALL_CONNECT_REQUEST not acceptable ({Count} problem(s)); NAK {NakNumber}")]
    public static partial void ConnectRequestNak(ILogger logger, int count, int nakNumber);

    [LoggerMessage(1108, LogLevel.Debug, "SSTP CALL_CONNECT_ACK sent offering {HashProtocols}")]
    public static partial void ConnectAckSent(ILogger logger, SstpHashProtocol hashProtocols);

    [LoggerMessage(1109, LogLevel.Warning,
        "SSTP crypto binding failed: {Input} did not match (hash protocol {HashProtocol}; HLAK all zero: {HlakZero}; MAC over zero HLAK would match: {ZeroHlakMatch})")]
    public static partial void CryptoBindingFailed(ILogger logger, string input, SstpHashProtocol hashProtocol, bool hlakZero, bool zeroHlakMatch);

    [LoggerMessage(1110, LogLevel.Debug, "SSTP call connected (crypto binding {HashProtocol} verified)")]
    public static partial void CallConnected(ILogger logger, SstpHashProtocol hashProtocol);

    [LoggerMessage(1111, LogLevel.Debug, "SSTP CALL_CONNECTED received before the HLAK is known; held for verification")]
    public static partial void CallConnectedHeld(ILogger logger);

    [LoggerMessage(1112, LogLevel.Information, "SSTP hello timeout: no packet for {IntervalMs} ms after ECHO_REQUEST; dropping")]
    public static partial void HelloTimeout(ILogger logger, int intervalMs);

    [LoggerMessage(1113, LogLevel.Debug, "SSTP echo message {MessageType} in negotiation state {State}; tolerated")]
    public static partial void EchoDuringNegotiation(ILogger logger, SstpMessageType messageType, SstpState state);

    [LoggerMessage(1114, LogLevel.Warning, "SSTP dropped an outgoing PPP frame of {Length} bytes (larger than the SSTP MRU of 4091)")]
    public static partial void FrameTooLarge(ILogger logger, int length);

    [LoggerMessage(1115, LogLevel.Information, "SSTP client: server offered {Offered}, using {Chosen}")]
    public static partial void HashChosen(ILogger logger, SstpHashProtocol offered, SstpHashProtocol chosen);

    [LoggerMessage(1116, LogLevel.Warning, "SSTP client: server sent CALL_CONNECT_NAK {NakNumber}")]
    public static partial void NakReceived(ILogger logger, int nakNumber);

    [LoggerMessage(1117, LogLevel.Debug, "SSTP CALL_DISCONNECT sent in state {State}: {Reason}")]
    public static partial void DisconnectSent(ILogger logger, SstpState state, string reason);
}
