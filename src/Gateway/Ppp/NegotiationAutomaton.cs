using Microsoft.Extensions.Logging;

namespace Gateway.Ppp;

/// <summary>
/// The RFC 1661 4 option negotiation automaton, shared by LCP, IPCP and IPv6CP. It handles codes 1-7
/// (Configure-*, Terminate-*, Code-Reject); protocol-specific codes (LCP 8-13) are handled by the owner before
/// calling <see cref="Receive"/>. Pure: time comes in as <c>nowMs</c>, packets go out through the host.
/// </summary>
public sealed class NegotiationAutomaton
{
    private readonly INegotiationPolicy _policy;
    private readonly INegotiationHost _host;
    private readonly NegotiationTimers _timers;
    private readonly ILogger _logger;
    private readonly CpOptionBuffer _ourRequest = new();
    private readonly CpResponseBuilder _response = new();
    private byte[] _tx = new byte[256];
    private int _restartCounter;
    private int _failureCounter;
    private byte _nextIdentifier;
    private byte _requestIdentifier;
    private bool _requestOutstanding;

    public NegotiationAutomaton(
        ushort protocol, string name, INegotiationPolicy policy, INegotiationHost host, NegotiationTimers timers, ILogger logger)
    {
        Protocol = protocol;
        Name = name;
        _policy = policy;
        _host = host;
        _timers = timers;
        _logger = logger;
        _nextIdentifier = 1;
    }

    public ushort Protocol { get; }

    public string Name { get; }

    public NegotiationState State { get; private set; } = NegotiationState.Initial;

    /// <summary>When the restart timer fires, or <see cref="long.MaxValue"/> when it is not running.</summary>
    public long NextDeadlineMs { get; private set; } = long.MaxValue;

    /// <summary>Largest packet we may send (the peer's MRU); Code-Reject is truncated to it (RFC 1661 5.6).</summary>
    public int PeerMru { get; set; } = PppFrame.DefaultMru;

    /// <summary>Why the layer last closed or finished (for logs and the link-terminated event).</summary>
    public string? LastReason { get; private set; }

    /// <summary>Identifier of our most recent Configure-Request.</summary>
    public byte RequestIdentifier => _requestIdentifier;

    public bool IsOpened => State == NegotiationState.Opened;

    // ---- Administrative and lower-layer events (RFC 1661 4.3) ----

    public void Up(long nowMs)
    {
        switch (State)
        {
            case NegotiationState.Initial:
                SetState(NegotiationState.Closed);
                break;
            case NegotiationState.Starting:
                BeginNegotiation();
                InitializeRestartCount(_timers.MaxConfigure);
                SetState(NegotiationState.RequestSent);
                SendConfigureRequest(nowMs);
                break;
        }
    }

    public void Down(long nowMs)
    {
        switch (State)
        {
            case NegotiationState.Closed:
            case NegotiationState.Closing:
                SetState(NegotiationState.Initial);
                break;
            case NegotiationState.Stopped:
                SetState(NegotiationState.Starting);
                _host.ThisLayerStarted(this, nowMs);
                break;
            case NegotiationState.Stopping:
            case NegotiationState.RequestSent:
            case NegotiationState.AckReceived:
            case NegotiationState.AckSent:
                SetState(NegotiationState.Starting);
                break;
            case NegotiationState.Opened:
                SetState(NegotiationState.Starting);
                _host.ThisLayerDown(this, nowMs);
                break;
        }
    }

    public void Open(long nowMs)
    {
        switch (State)
        {
            case NegotiationState.Initial:
                SetState(NegotiationState.Starting);
                _host.ThisLayerStarted(this, nowMs);
                break;
            case NegotiationState.Closed:
                BeginNegotiation();
                InitializeRestartCount(_timers.MaxConfigure);
                SetState(NegotiationState.RequestSent);
                SendConfigureRequest(nowMs);
                break;
            case NegotiationState.Closing:
                SetState(NegotiationState.Stopping);
                break;
        }
    }

    public void Close(string reason, long nowMs)
    {
        LastReason = reason;
        switch (State)
        {
            case NegotiationState.Starting:
                SetState(NegotiationState.Initial);
                _host.ThisLayerFinished(this, nowMs);
                break;
            case NegotiationState.Stopped:
                SetState(NegotiationState.Closed);
                break;
            case NegotiationState.Stopping:
                SetState(NegotiationState.Closing);
                break;
            case NegotiationState.RequestSent:
            case NegotiationState.AckReceived:
            case NegotiationState.AckSent:
                InitializeRestartCount(_timers.MaxTerminate);
                SetState(NegotiationState.Closing);
                SendTerminateRequest(nowMs);
                break;
            case NegotiationState.Opened:
                SetState(NegotiationState.Closing);
                _host.ThisLayerDown(this, nowMs);
                InitializeRestartCount(_timers.MaxTerminate);
                SendTerminateRequest(nowMs);
                break;
        }
    }

    /// <summary>Runs the restart timer (TO+ / TO-, RFC 1661 4.3).</summary>
    public void OnTimer(long nowMs)
    {
        if (nowMs < NextDeadlineMs)
        {
            return;
        }

        NextDeadlineMs = long.MaxValue;
        if (_restartCounter > 0)
        {
            switch (State)
            {
                case NegotiationState.Closing:
                case NegotiationState.Stopping:
                    SendTerminateRequest(nowMs);
                    break;
                case NegotiationState.RequestSent:
                case NegotiationState.AckReceived:
                    SetState(NegotiationState.RequestSent);
                    SendConfigureRequest(nowMs);
                    break;
                case NegotiationState.AckSent:
                    SendConfigureRequest(nowMs);
                    break;
            }

            return;
        }

        switch (State)
        {
            case NegotiationState.Closing:
                Finish(NegotiationState.Closed, LastReason ?? "no Terminate-Ack", nowMs);
                break;
            case NegotiationState.Stopping:
                Finish(NegotiationState.Stopped, LastReason ?? "no Terminate-Ack", nowMs);
                break;
            case NegotiationState.RequestSent:
            case NegotiationState.AckReceived:
            case NegotiationState.AckSent:
                Finish(NegotiationState.Stopped, "negotiation timed out (Max-Configure)", nowMs);
                break;
        }
    }

    /// <summary>
    /// RXJ- from outside: LCP received a Protocol-Reject naming this protocol (RFC 1661 5.7); stop using it.
    /// </summary>
    public void ProtocolRejected(long nowMs) => ReceiveCatastrophicReject("protocol rejected by peer", nowMs);

    // ---- Packets ----

    /// <summary>Handles one well-formed control packet (codes 1-7; anything else is answered with Code-Reject).</summary>
    public void Receive(in CpPacket packet, long nowMs)
    {
        if (State is NegotiationState.Initial or NegotiationState.Starting)
        {
            // RFC 1661 4.2: packets are not expected before the lower layer is up; silently discard.
            return;
        }

        switch (packet.Code)
        {
            case CpCode.ConfigureRequest:
                ReceiveConfigureRequest(packet, nowMs);
                break;
            case CpCode.ConfigureAck:
                ReceiveConfigureAck(packet, nowMs);
                break;
            case CpCode.ConfigureNak:
            case CpCode.ConfigureReject:
                ReceiveConfigureNakOrReject(packet, nowMs);
                break;
            case CpCode.TerminateRequest:
                ReceiveTerminateRequest(packet, nowMs);
                break;
            case CpCode.TerminateAck:
                ReceiveTerminateAck(nowMs);
                break;
            case CpCode.CodeReject:
                ReceiveCodeReject(packet, nowMs);
                break;
            default:
                ReceiveUnknownCode(packet);
                break;
        }
    }

    /// <summary>RUC: answers a packet with an unknown code with Code-Reject, in every state but Initial/Starting.</summary>
    public void ReceiveUnknownCode(in CpPacket packet)
    {
        if (State is NegotiationState.Initial or NegotiationState.Starting)
        {
            return;
        }

        // RFC 1661 5.6: Rejected-Packet is truncated to fit the peer's MRU.
        int room = Math.Min(PeerMru, PppFrame.MaxInformationLength) - CpPacket.HeaderLength;
        ReadOnlySpan<byte> rejected = packet.Whole;
        if (rejected.Length > room)
        {
            rejected = rejected[..room];
        }

        Send(CpCode.CodeReject, NextIdentifier(), rejected);
    }

    /// <summary>A fresh identifier for a request this automaton's owner sends (e.g. LCP Protocol-Reject).</summary>
    public byte NextIdentifier() => _nextIdentifier++;

    private void ReceiveConfigureRequest(in CpPacket packet, long nowMs)
    {
        switch (State)
        {
            case NegotiationState.Closed:
                Send(CpCode.TerminateAck, packet.Identifier, default);
                return;
            case NegotiationState.Closing:
            case NegotiationState.Stopping:
                return;
        }

        ReadOnlySpan<byte> options = packet.Data;
        if (CpPacket.ValidateOptions(options) != CpParseStatus.Ok)
        {
            PppLog.MalformedOptions(_logger, Name, CpCode.ConfigureRequest);
            return;
        }

        if (State == NegotiationState.Stopped)
        {
            BeginNegotiation();
        }

        _response.Clear();
        _policy.JudgeRequest(options, _response);
        bool acceptable = !_response.HasRejects && !_response.HasNaks;
        if (!acceptable && !_response.HasRejects && _failureCounter <= 0)
        {
            // RFC 1661 4.6 Max-Failure: Naks no longer converge, reject the offending options instead.
            _response.Rejects.AddRaw(_response.NakedOriginals.Span);
            acceptable = _response.Rejects.IsEmpty;
        }

        switch (State)
        {
            case NegotiationState.Stopped:
                InitializeRestartCount(_timers.MaxConfigure);
                SendConfigureRequest(nowMs);
                SetState(acceptable ? NegotiationState.AckSent : NegotiationState.RequestSent);
                break;
            case NegotiationState.RequestSent:
            case NegotiationState.AckSent:
                SetState(acceptable ? NegotiationState.AckSent : NegotiationState.RequestSent);
                break;
            case NegotiationState.AckReceived:
                SetState(acceptable ? NegotiationState.Opened : NegotiationState.AckReceived);
                break;
            case NegotiationState.Opened:
                SetState(acceptable ? NegotiationState.AckSent : NegotiationState.RequestSent);
                _host.ThisLayerDown(this, nowMs);
                SendConfigureRequest(nowMs);
                break;
        }

        if (acceptable)
        {
            _failureCounter = _timers.MaxFailure;
            _policy.OnRequestAcked(options);
            Send(CpCode.ConfigureAck, packet.Identifier, options);
            if (State == NegotiationState.Opened)
            {
                _host.ThisLayerUp(this, nowMs);
            }
        }
        else if (_response.HasRejects)
        {
            Send(CpCode.ConfigureReject, packet.Identifier, _response.Rejects.Span);
        }
        else
        {
            _failureCounter--;
            Send(CpCode.ConfigureNak, packet.Identifier, _response.Naks.Span);
        }
    }

    private void ReceiveConfigureAck(in CpPacket packet, long nowMs)
    {
        switch (State)
        {
            case NegotiationState.Closed:
            case NegotiationState.Stopped:
                Send(CpCode.TerminateAck, packet.Identifier, default);
                return;
            case NegotiationState.Closing:
            case NegotiationState.Stopping:
                return;
        }

        // RFC 1661 5.2: an Ack must match the last request exactly (Identifier and options), else discard.
        if (!_requestOutstanding || packet.Identifier != _requestIdentifier || !packet.Data.SequenceEqual(_ourRequest.Span))
        {
            PppLog.InvalidReply(_logger, Name, CpCode.ConfigureAck, packet.Identifier);
            return;
        }

        _requestOutstanding = false;
        switch (State)
        {
            case NegotiationState.RequestSent:
                _policy.OnAckReceived(packet.Data);
                InitializeRestartCount(_timers.MaxConfigure);
                SetState(NegotiationState.AckReceived);
                StartTimer(nowMs);
                break;
            case NegotiationState.AckReceived:
                // Crossed connection (RFC 1661 4.3 "x"): start over.
                SetState(NegotiationState.RequestSent);
                SendConfigureRequest(nowMs);
                break;
            case NegotiationState.AckSent:
                _policy.OnAckReceived(packet.Data);
                InitializeRestartCount(_timers.MaxConfigure);
                SetState(NegotiationState.Opened);
                _host.ThisLayerUp(this, nowMs);
                break;
            case NegotiationState.Opened:
                SetState(NegotiationState.RequestSent);
                _host.ThisLayerDown(this, nowMs);
                SendConfigureRequest(nowMs);
                break;
        }
    }

    private void ReceiveConfigureNakOrReject(in CpPacket packet, long nowMs)
    {
        switch (State)
        {
            case NegotiationState.Closed:
            case NegotiationState.Stopped:
                Send(CpCode.TerminateAck, packet.Identifier, default);
                return;
            case NegotiationState.Closing:
            case NegotiationState.Stopping:
                return;
        }

        if (!_requestOutstanding || packet.Identifier != _requestIdentifier
            || CpPacket.ValidateOptions(packet.Data) != CpParseStatus.Ok)
        {
            PppLog.InvalidReply(_logger, Name, packet.Code, packet.Identifier);
            return;
        }

        _requestOutstanding = false;
        NegotiationReaction reaction = packet.Code == CpCode.ConfigureNak
            ? _policy.OnNakReceived(packet.Data)
            : _policy.OnRejectReceived(packet.Data);
        if (reaction == NegotiationReaction.Fail)
        {
            Close(Name + " negotiation failed: peer refused a required option", nowMs);
            return;
        }

        switch (State)
        {
            case NegotiationState.RequestSent:
                InitializeRestartCount(_timers.MaxConfigure);
                SendConfigureRequest(nowMs);
                break;
            case NegotiationState.AckReceived:
                SetState(NegotiationState.RequestSent);
                SendConfigureRequest(nowMs);
                break;
            case NegotiationState.AckSent:
                InitializeRestartCount(_timers.MaxConfigure);
                SendConfigureRequest(nowMs);
                break;
            case NegotiationState.Opened:
                SetState(NegotiationState.RequestSent);
                _host.ThisLayerDown(this, nowMs);
                SendConfigureRequest(nowMs);
                break;
        }
    }

    private void ReceiveTerminateRequest(in CpPacket packet, long nowMs)
    {
        switch (State)
        {
            case NegotiationState.AckReceived:
            case NegotiationState.AckSent:
                SetState(NegotiationState.RequestSent);
                break;
            case NegotiationState.Opened:
                LastReason = "peer sent Terminate-Request";
                SetState(NegotiationState.Stopping);
                _host.ThisLayerDown(this, nowMs);
                // zrc: wait one restart period for the peer to close the lower layer (RFC 1661 4.4).
                _restartCounter = 0;
                StartTimer(nowMs);
                break;
        }

        Send(CpCode.TerminateAck, packet.Identifier, default);
    }

    private void ReceiveTerminateAck(long nowMs)
    {
        switch (State)
        {
            case NegotiationState.Closing:
                Finish(NegotiationState.Closed, LastReason ?? "closed", nowMs);
                break;
            case NegotiationState.Stopping:
                Finish(NegotiationState.Stopped, LastReason ?? "stopped", nowMs);
                break;
            case NegotiationState.AckReceived:
                SetState(NegotiationState.RequestSent);
                break;
            case NegotiationState.Opened:
                SetState(NegotiationState.RequestSent);
                _host.ThisLayerDown(this, nowMs);
                SendConfigureRequest(nowMs);
                break;
        }
    }

    private void ReceiveCodeReject(in CpPacket packet, long nowMs)
    {
        // RFC 1661 5.6: rejecting one of codes 1-7 is catastrophic (RXJ-); other codes are optional (RXJ+).
        if (packet.Data.Length == 0 || packet.Data[0] is >= CpCode.ConfigureRequest and <= CpCode.CodeReject)
        {
            ReceiveCatastrophicReject("peer rejected code " + (packet.Data.Length == 0 ? "?" : packet.Data[0].ToString(System.Globalization.CultureInfo.InvariantCulture)), nowMs);
            return;
        }

        if (State == NegotiationState.AckReceived)
        {
            SetState(NegotiationState.RequestSent);
        }
    }

    private void ReceiveCatastrophicReject(string reason, long nowMs)
    {
        switch (State)
        {
            case NegotiationState.Closed:
            case NegotiationState.Closing:
                Finish(NegotiationState.Closed, reason, nowMs);
                break;
            case NegotiationState.Stopped:
            case NegotiationState.Stopping:
            case NegotiationState.RequestSent:
            case NegotiationState.AckReceived:
            case NegotiationState.AckSent:
                Finish(NegotiationState.Stopped, reason, nowMs);
                break;
            case NegotiationState.Opened:
                LastReason = reason;
                SetState(NegotiationState.Stopping);
                _host.ThisLayerDown(this, nowMs);
                InitializeRestartCount(_timers.MaxTerminate);
                SendTerminateRequest(nowMs);
                break;
        }
    }

    // ---- Actions (RFC 1661 4.4) ----

    private void BeginNegotiation()
    {
        _policy.Reset();
        _failureCounter = _timers.MaxFailure;
    }

    private void InitializeRestartCount(int value) => _restartCounter = value;

    private void SendConfigureRequest(long nowMs)
    {
        _ourRequest.Clear();
        _policy.BuildRequest(_ourRequest);
        _requestIdentifier = NextIdentifier();
        _requestOutstanding = true;
        _restartCounter--;
        Send(CpCode.ConfigureRequest, _requestIdentifier, _ourRequest.Span);
        StartTimer(nowMs);
    }

    private void SendTerminateRequest(long nowMs)
    {
        _restartCounter--;
        Send(CpCode.TerminateRequest, NextIdentifier(), default);
        StartTimer(nowMs);
    }

    private void StartTimer(long nowMs) => NextDeadlineMs = nowMs + _timers.RestartMs;

    private void Finish(NegotiationState state, string reason, long nowMs)
    {
        LastReason = reason;
        SetState(state);
        _host.ThisLayerFinished(this, nowMs);
    }

    private void SetState(NegotiationState state)
    {
        if (state == State)
        {
            return;
        }

        PppLog.StateChanged(_logger, Name, State, state);
        State = state;
        if (state is not (NegotiationState.Closing or NegotiationState.Stopping or NegotiationState.RequestSent
            or NegotiationState.AckReceived or NegotiationState.AckSent))
        {
            NextDeadlineMs = long.MaxValue;
        }
    }

    private void Send(byte code, byte identifier, ReadOnlySpan<byte> data)
    {
        int length = CpPacket.HeaderLength + data.Length;
        if (_tx.Length < length)
        {
            _tx = new byte[Math.Max(length, _tx.Length * 2)];
        }

        CpPacket.Write(_tx, code, identifier, data);
        _host.SendControl(Protocol, _tx.AsSpan(0, length));
    }
}
