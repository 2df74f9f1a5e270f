namespace Gateway.Sstp;

/// <summary>
/// SSTP timers and policy (configuration section <c>Sstp</c>). Defaults are the [MS-SSTP] values except the Hello
/// interval, which is shorter than the spec's 60 s so dead clients are found within ~40 s.
/// </summary>
public class SstpOptions
{
    public const string SectionName = "Sstp";

    /// <summary>Server: wait for CALL_CONNECT_REQUEST; client: wait for the ACK (3.3.2.1 / 3.2.2.1, 60 s).</summary>
    public int ConnectRequestTimeoutMs { get; set; } = SstpConstants.NegotiationTimerMs;

    /// <summary>Server: after the ACK, wait for a valid CALL_CONNECTED (covers PPP LCP and authentication; 60 s).
    /// Client: after the ACK, wait for the inner authentication to complete.</summary>
    public int CallConnectedTimeoutMs { get; set; } = SstpConstants.NegotiationTimerMs;

    /// <summary>Hello timer (3.1.2.3): on expiry send ECHO_REQUEST; if nothing arrives in the next interval, drop.</summary>
    public int HelloIntervalMs { get; set; } = 20_000;

    /// <summary>TIMER_VAL_ABORT_STATE_TIMER_1 (3.1.2.1).</summary>
    public int AbortTimer1Ms { get; set; } = SstpConstants.AbortTimer1Ms;

    /// <summary>TIMER_VAL_ABORT_STATE_TIMER_2 (3.1.2.1).</summary>
    public int AbortTimer2Ms { get; set; } = SstpConstants.AbortTimer2Ms;

    /// <summary>TIMER_VAL_DISCONNECT_STATE_TIMER_1 (3.1.2.2).</summary>
    public int DisconnectTimer1Ms { get; set; } = SstpConstants.DisconnectTimer1Ms;

    /// <summary>TIMER_VAL_DISCONNECT_STATE_TIMER_2 (3.1.2.2).</summary>
    public int DisconnectTimer2Ms { get; set; } = SstpConstants.DisconnectTimer2Ms;

    /// <summary>
    /// Graceful close: how long to wait for PPP to finish LCP Terminate before sending CALL_DISCONNECT anyway
    /// (RFC 1661 defaults: Restart 3 s, Max-Terminate 2, so ~6 s).
    /// </summary>
    public int PppTerminateTimeoutMs { get; set; } = 7_000;

    /// <summary>Server: NAKs sent before the next unacceptable request is aborted; client: NAKs accepted before aborting.</summary>
    public int MaxNakCount { get; set; } = SstpConstants.MaxNakCount;

    /// <summary>
    /// Server: the Hash Protocol Bitmask offered in CALL_CONNECT_ACK (2.2.6). Client: the hash protocols it supports
    /// (it picks SHA-256 when offered, 3.2.5.2.1).
    /// </summary>
    public SstpHashProtocol HashProtocols { get; set; } = SstpHashProtocol.Sha1 | SstpHashProtocol.Sha256;
}
