namespace Gateway.Sstp;

/// <summary>
/// States of the SSTP call state machines ([MS-SSTP] 3.1.1.1, 3.2.1.1.1, 3.3.1.1.1), server and client together.
/// </summary>
public enum SstpState
{
    /// <summary>Server_Call_Disconnected / Client_Call_Disconnected: <c>Start</c> not called yet.</summary>
    Idle,

    /// <summary>Server_Connect_Request_Pending: waiting for CALL_CONNECT_REQUEST (negotiation timer).</summary>
    ConnectRequestPending,

    /// <summary>Server_Call_Connected_Pending: ACK sent, PPP running, waiting for a valid CALL_CONNECTED.</summary>
    CallConnectedPending,

    /// <summary>Client_Connect_Request_Sent: waiting for CALL_CONNECT_ACK / NAK.</summary>
    ConnectRequestSent,

    /// <summary>Client_Connect_Ack_Received: PPP running, waiting for the inner authentication to complete.</summary>
    ConnectAckReceived,

    /// <summary>Server_Call_Connected / Client_Call_Connected: data frames flow, Hello timer running.</summary>
    CallConnected,

    /// <summary>Graceful close in progress: PPP LCP Terminate first, CALL_DISCONNECT once PPP is down or timed out.</summary>
    PppTerminatePending,

    /// <summary>Call_Abort_Pending: CALL_ABORT sent, waiting for the peer's (TIMER_VAL_ABORT_STATE_TIMER_1).</summary>
    CallAbortPending,

    /// <summary>Call_Abort_Timeout_Pending: waiting out TIMER_VAL_ABORT_STATE_TIMER_2.</summary>
    CallAbortTimeoutPending,

    /// <summary>Call_Disconnect_Ack_Pending: CALL_DISCONNECT sent, waiting for the ACK (TIMER_VAL_DISCONNECT_STATE_TIMER_1).</summary>
    CallDisconnectAckPending,

    /// <summary>Call_Disconnect_Timeout_Pending: ACK sent, waiting out TIMER_VAL_DISCONNECT_STATE_TIMER_2.</summary>
    CallDisconnectTimeoutPending,

    /// <summary>Cleaned up: the connection must be closed (TLS close_notify, then FIN).</summary>
    Closed,
}
