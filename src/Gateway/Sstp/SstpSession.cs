using System.Buffers;
using Gateway.Ppp;
using Microsoft.Extensions.Logging;

namespace Gateway.Sstp;

/// <summary>
/// What the server and client SSTP state machines share: framing of PPP frames into data packets and the gating of
/// [MS-SSTP] 3.3.7 / 3.2.7, echo and Hello timer (3.1.2.3), abort (3.1.2.1) and disconnect (3.1.2.2) procedures.
/// Sans-I/O: packets in through <see cref="Receive"/>, bytes out into the <see cref="IBufferWriter{T}"/> given to
/// the constructor (flush it after every call), time in as monotonic milliseconds. Not thread-safe: one caller.
/// </summary>
public abstract class SstpSession : IPppFrameSink
{
    private readonly IBufferWriter<byte> _output;
    private IPppEndpoint? _ppp;
    private bool _pppUp;
    private long _deadlineMs = long.MaxValue;
    private bool _echoOutstanding;

    protected SstpSession(SstpOptions options, IBufferWriter<byte> output, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(logger);
        Options = options;
        _output = output;
        Logger = logger;
    }

    protected SstpOptions Options { get; }

    protected ILogger Logger { get; }

    protected IPppEndpoint Ppp => _ppp ?? throw new InvalidOperationException("AttachPpp must be called before Start.");

    public SstpState State { get; private set; }

    public bool IsClosed => State == SstpState.Closed;

    /// <summary>True only in <see cref="SstpState.CallConnected"/>: PPP data frames (IPv4/IPv6) may flow.</summary>
    public bool DataAllowed => State == SstpState.CallConnected;

    /// <summary>Why the session ended (set when <see cref="State"/> becomes <see cref="SstpState.Closed"/>).</summary>
    public string? CloseReason { get; private set; }

    /// <summary>The Status Info of the CALL_ABORT this side sent, if it aborted.</summary>
    public SstpStatusInfo? AbortStatusSent { get; private set; }

    /// <summary>The Status Info of the CALL_ABORT the peer sent, if any.</summary>
    public SstpStatusInfo? AbortStatusReceived { get; private set; }

    /// <summary>Data packets dropped by the gating rules (received or sent).</summary>
    public long GatedFrames { get; private set; }

    /// <summary>When <see cref="OnTimer"/> must next run (SSTP timers and the PPP endpoint's), or <see cref="long.MaxValue"/>.</summary>
    public long NextDeadlineMs
    {
        get
        {
            if (State == SstpState.Closed)
            {
                return long.MaxValue;
            }

            long ppp = _pppUp && _ppp is not null ? _ppp.NextDeadlineMs : long.MaxValue;
            return Math.Min(_deadlineMs, ppp);
        }
    }

    /// <summary>Connects the PPP engine (whose frame sink is this session). Call before <c>Start</c>.</summary>
    public void AttachPpp(IPppEndpoint ppp)
    {
        ArgumentNullException.ThrowIfNull(ppp);
        if (_ppp is not null)
        {
            throw new InvalidOperationException("A PPP endpoint is already attached.");
        }

        _ppp = ppp;
    }

    /// <summary>
    /// Handles one complete SSTP packet (as delimited by <see cref="SstpFrameReader"/>). The returned IP packet is a
    /// slice of <paramref name="packet"/>.
    /// </summary>
    public SstpInput Receive(ReadOnlySpan<byte> packet, long nowMs)
    {
        if (State == SstpState.Closed)
        {
            return SstpInput.Close;
        }

        if (State == SstpState.Idle)
        {
            throw new InvalidOperationException("Start must be called before Receive.");
        }

        if (!SstpPacketHeader.TryRead(packet, out var header, out var error) || header.Length != packet.Length)
        {
            error = error == SstpParseError.None ? SstpParseError.LengthMismatch : error;
            SstpLog.FramingError(Logger, error);
            CloseNow("framing error: " + error);
            return SstpInput.Close;
        }

        // 3.1.2.3: every received packet, data or control, restarts the Hello timer.
        if (State == SstpState.CallConnected)
        {
            _deadlineMs = nowMs + Options.HelloIntervalMs;
            _echoOutstanding = false;
        }

        if (!header.IsControl)
        {
            return ReceiveData(packet, nowMs);
        }

        ReceiveControl(packet, nowMs);
        return State == SstpState.Closed ? SstpInput.Close : SstpInput.None;
    }

    /// <summary>Runs due timers (SSTP and PPP).</summary>
    public void OnTimer(long nowMs)
    {
        if (State is SstpState.Closed or SstpState.Idle)
        {
            return;
        }

        if (_pppUp && _ppp is not null && nowMs >= _ppp.NextDeadlineMs)
        {
            _ppp.OnTimer(nowMs);
            CheckPppTerminated(nowMs);
        }

        if (State != SstpState.Closed && nowMs >= _deadlineMs)
        {
            OnSstpTimer(nowMs);
        }
    }

    /// <summary>
    /// Graceful close (3.1.2.2 and reference 7.7): PPP LCP Terminate first, then CALL_DISCONNECT once PPP has
    /// terminated or <see cref="SstpOptions.PppTerminateTimeoutMs"/> passed, then wait for the ACK.
    /// </summary>
    public void Disconnect(string reason, long nowMs)
    {
        if (State is SstpState.Closed or SstpState.PppTerminatePending || IsTearingDown)
        {
            return;
        }

        SstpLog.Disconnecting(Logger, State, reason);
        CloseReason ??= reason;
        if (State == SstpState.Idle)
        {
            CloseNow(reason);
            return;
        }

        if (_pppUp && _ppp is not null && !_ppp.IsTerminated)
        {
            State = SstpState.PppTerminatePending;
            _deadlineMs = nowMs + Options.PppTerminateTimeoutMs;
            _ppp.Close(reason, nowMs);
            CheckPppTerminated(nowMs);
            return;
        }

        SendDisconnect(nowMs);
    }

    /// <summary>The TLS/TCP connection is gone (3.1.5.1 lower-layer loss): clean up, send nothing, lower PPP.</summary>
    public void OnConnectionLost(string reason)
    {
        if (State != SstpState.Closed)
        {
            CloseNow(reason);
        }
    }

    /// <summary>
    /// <see cref="IPppFrameSink"/>: wraps one PPP frame in a data packet, subject to the gating of 3.3.7 / 3.2.7
    /// (control frames from the ACK on, data frames only when <see cref="DataAllowed"/>).
    /// </summary>
    public void SendFrame(ReadOnlySpan<byte> frame)
    {
        if (!PassesGate(frame))
        {
            GatedFrames++;
            return;
        }

        if (frame.Length > SstpConstants.MaxPayloadLength)
        {
            SstpLog.FrameTooLarge(Logger, frame.Length);
            return;
        }

        int length = frame.Length + SstpConstants.HeaderLength;
        Span<byte> span = _output.GetSpan(length);
        SstpFrameWriter.WriteDataHeader(span, frame.Length);
        frame.CopyTo(span[SstpConstants.HeaderLength..]);
        _output.Advance(length);
    }

    /// <summary>
    /// TUN-to-peer fast path: writes <c>10 00 LL LL FF 03 PP PP</c> in front of an IP packet of
    /// <paramref name="ipPacketLength"/> bytes; returns 8, or 0 (write nothing) when data may not flow yet or the
    /// packet exceeds <see cref="SstpFrameWriter.MaxIpPacketLength"/>.
    /// </summary>
    public int WriteDataPacketHeader(Span<byte> destination, ushort pppProtocol, int ipPacketLength)
    {
        if (State != SstpState.CallConnected || (uint)ipPacketLength > SstpFrameWriter.MaxIpPacketLength)
        {
            return 0;
        }

        return SstpFrameWriter.WriteDataPrefix(destination, pppProtocol, ipPacketLength);
    }

    protected bool IsTearingDown => State is SstpState.CallAbortPending or SstpState.CallAbortTimeoutPending
        or SstpState.CallDisconnectAckPending or SstpState.CallDisconnectTimeoutPending;

    /// <summary>Handles CALL_CONNECT_* and CALL_CONNECTED (abort, disconnect and echo are handled here).</summary>
    protected abstract void HandleCallMessage(SstpControlMessage message, ReadOnlySpan<byte> packet, long nowMs);

    /// <summary>Gating while negotiating: true in the states where PPP control frames may flow.</summary>
    protected abstract bool IsPppControlState(SstpState state);

    protected void Send(SstpControlMessage message) => message.Write(_output);

    /// <summary>Writes an already encoded control packet.</summary>
    protected void Send(ReadOnlySpan<byte> packet)
    {
        Span<byte> span = _output.GetSpan(packet.Length);
        packet.CopyTo(span);
        _output.Advance(packet.Length);
    }

    protected void SetState(SstpState state, long deadlineMs)
    {
        State = state;
        _deadlineMs = deadlineMs;
        if (state == SstpState.CallConnected)
        {
            _echoOutstanding = false;
        }
    }

    /// <summary>Starts PPP (Lower-Up): call after the state allows PPP control frames.</summary>
    protected void RaisePpp(long nowMs)
    {
        _pppUp = true;
        Ppp.LowerUp(nowMs);
        CheckPppTerminated(nowMs);
    }

    /// <summary>Abort procedure (3.1.5.1): send CALL_ABORT, Call_Abort_Pending, TIMER_VAL_ABORT_STATE_TIMER_1.</summary>
    protected void Abort(SstpStatusInfo status, string reason, long nowMs)
    {
        if (State == SstpState.Closed || IsTearingDown)
        {
            return;
        }

        SstpLog.Aborting(Logger, State, reason, status.AttributeId, status.Status);
        LowerPpp();
        AbortStatusSent = status;
        CloseReason = reason;
        Send(SstpControlMessage.CallAbort(status));
        SetState(SstpState.CallAbortPending, nowMs + Options.AbortTimer1Ms);
    }

    protected void Abort(SstpAttributeId attributeId, SstpStatus status, string reason, long nowMs) =>
        Abort(new SstpStatusInfo(attributeId, status), reason, nowMs);

    /// <summary>After PPP processed input or timers: a PPP link that terminated on its own ends the call.</summary>
    protected void CheckPppTerminated(long nowMs)
    {
        if (_pppUp && _ppp is not null && _ppp.IsTerminated
            && State is SstpState.CallConnectedPending or SstpState.ConnectAckReceived or SstpState.CallConnected or SstpState.PppTerminatePending)
        {
            SendDisconnect(nowMs);
        }
    }

    private SstpInput ReceiveData(ReadOnlySpan<byte> packet, long nowMs)
    {
        ReadOnlySpan<byte> frame = packet[SstpConstants.HeaderLength..];
        if (_ppp is null || !_pppUp || !PassesGate(frame))
        {
            GatedFrames++;
            return SstpInput.None;
        }

        PppReceiveResult result = _ppp.Receive(frame, nowMs);
        CheckPppTerminated(nowMs);
        if (State == SstpState.Closed)
        {
            return SstpInput.Close;
        }

        if (State == SstpState.CallConnected)
        {
            if (result.Kind == PppReceiveKind.IPv4)
            {
                return new SstpInput(SstpInputKind.IPv4, SstpConstants.HeaderLength + result.Offset, result.Length);
            }

            if (result.Kind == PppReceiveKind.IPv6)
            {
                return new SstpInput(SstpInputKind.IPv6, SstpConstants.HeaderLength + result.Offset, result.Length);
            }
        }

        return SstpInput.None;
    }

    private void ReceiveControl(ReadOnlySpan<byte> packet, long nowMs)
    {
        if (!SstpControlMessage.TryParse(packet, out var message, out var error))
        {
            SstpLog.MalformedControl(Logger, error, State);
            Abort(SstpAttributeId.NoError, SstpStatus.InvalidFrameReceived, "malformed control message: " + error, nowMs);
            return;
        }

        switch (message.MessageType)
        {
            case SstpMessageType.CallAbort:
                OnPeerAbort(message, nowMs);
                return;
            case SstpMessageType.CallDisconnect:
                OnPeerDisconnect(nowMs);
                return;
            case SstpMessageType.CallDisconnectAck:
                if (State == SstpState.CallDisconnectAckPending)
                {
                    CloseNow(CloseReason ?? "disconnected");
                }
                else if (!IsTearingDown && State != SstpState.PppTerminatePending)
                {
                    Abort(SstpAttributeId.NoError, SstpStatus.UnacceptedFrameReceived, "unexpected CALL_DISCONNECT_ACK", nowMs);
                }

                return;
            case SstpMessageType.EchoRequest:
            case SstpMessageType.EchoResponse:
                OnEcho(message.MessageType);
                return;
        }

        if (IsTearingDown || State == SstpState.PppTerminatePending)
        {
            // 3.1.2.1 / 3.1.2.2: everything else is ignored while tearing down.
            return;
        }

        HandleCallMessage(message, packet, nowMs);
    }

    private void OnEcho(SstpMessageType type)
    {
        if (IsTearingDown)
        {
            return;
        }

        if (State != SstpState.CallConnected && State != SstpState.PppTerminatePending)
        {
            // 3.3.5.2: echo before Call Connected is formally a protocol error; some clients do it. Tolerate it.
            SstpLog.EchoDuringNegotiation(Logger, type, State);
        }

        if (type == SstpMessageType.EchoRequest)
        {
            Send(SstpControlMessage.EchoResponse());
        }
    }

    private void OnPeerAbort(SstpControlMessage message, long nowMs)
    {
        foreach (var attribute in message.Attributes)
        {
            if (SstpStatusInfo.TryParse(attribute, out var status, out _))
            {
                AbortStatusReceived = status;
                break;
            }
        }

        SstpLog.PeerAbort(Logger, State, AbortStatusReceived is { } s ? $"{s.AttributeId}/{s.Status}" : "none");
        switch (State)
        {
            case SstpState.CallAbortPending:
                // 3.1.2.1: the far end answered our abort; wait TIMER_2 so its CALL_ABORT is surely read.
                SetState(SstpState.CallAbortTimeoutPending, nowMs + Options.AbortTimer2Ms);
                return;
            case SstpState.CallAbortTimeoutPending:
                return;
            default:
                // Responder: start TIMER_2 and answer with CALL_ABORT.
                LowerPpp();
                CloseReason = "aborted by peer";
                Send(SstpControlMessage.CallAbort(null));
                SetState(SstpState.CallAbortTimeoutPending, nowMs + Options.AbortTimer2Ms);
                return;
        }
    }

    private void OnPeerDisconnect(long nowMs)
    {
        SstpLog.PeerDisconnect(Logger, State);

        // 3.1.2.2: CALL_DISCONNECT_ACK is sent whatever the state.
        Send(SstpControlMessage.CallDisconnectAck());
        switch (State)
        {
            case SstpState.CallAbortPending:
            case SstpState.CallAbortTimeoutPending:
            case SstpState.CallDisconnectTimeoutPending:
                return;
            default:
                // Responder, or a CALL_DISCONNECT crossing ours in Call_Disconnect_Ack_Pending.
                LowerPpp();
                CloseReason ??= "disconnected by peer";
                SetState(SstpState.CallDisconnectTimeoutPending, nowMs + Options.DisconnectTimer2Ms);
                return;
        }
    }

    private void OnSstpTimer(long nowMs)
    {
        switch (State)
        {
            case SstpState.ConnectRequestPending:
            case SstpState.CallConnectedPending:
            case SstpState.ConnectRequestSent:
            case SstpState.ConnectAckReceived:
                Abort(SstpAttributeId.NoError, SstpStatus.NegotiationTimeout, "negotiation timer expired in " + State, nowMs);
                return;
            case SstpState.CallConnected:
                if (!_echoOutstanding)
                {
                    Send(SstpControlMessage.EchoRequest());
                    _echoOutstanding = true;
                    _deadlineMs = nowMs + Options.HelloIntervalMs;
                }
                else
                {
                    // 3.1.2.3: no answer within another interval: drop without CALL_ABORT.
                    SstpLog.HelloTimeout(Logger, Options.HelloIntervalMs);
                    CloseNow("hello timeout");
                }

                return;
            case SstpState.PppTerminatePending:
                SendDisconnect(nowMs);
                return;
            case SstpState.CallAbortPending:
            case SstpState.CallAbortTimeoutPending:
            case SstpState.CallDisconnectAckPending:
            case SstpState.CallDisconnectTimeoutPending:
                CloseNow(CloseReason ?? State.ToString());
                return;
        }
    }

    private void SendDisconnect(long nowMs)
    {
        LowerPpp();
        CloseReason ??= "disconnected";
        SstpLog.DisconnectSent(Logger, State, CloseReason);
        Send(SstpControlMessage.CallDisconnect(SstpStatusInfo.NoError));
        SetState(SstpState.CallDisconnectAckPending, nowMs + Options.DisconnectTimer1Ms);
    }

    private bool PassesGate(ReadOnlySpan<byte> frame)
    {
        if (State == SstpState.CallConnected)
        {
            return true;
        }

        return (IsPppControlState(State) || State == SstpState.PppTerminatePending) && SstpPppGate.IsControlFrame(frame);
    }

    private void LowerPpp()
    {
        if (_pppUp)
        {
            _pppUp = false;
            _ppp?.LowerDown();
        }
    }

    private void CloseNow(string reason)
    {
        LowerPpp();
        CloseReason ??= reason;
        State = SstpState.Closed;
        _deadlineMs = long.MaxValue;
        SstpLog.Closed(Logger, CloseReason);
        OnClosed();
    }

    /// <summary>Called once when the session reaches <see cref="SstpState.Closed"/> (wipe key material here).</summary>
    protected virtual void OnClosed()
    {
    }
}
