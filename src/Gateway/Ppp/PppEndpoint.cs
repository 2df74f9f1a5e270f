using System.Buffers.Binary;
using Gateway.Ppp.Auth;
using Microsoft.Extensions.Logging;

namespace Gateway.Ppp;

/// <summary>
/// What <see cref="PppServer"/> and <see cref="PppClient"/> share: frame dispatch, LCP codes 8-13 (RFC 1661 5.7-5.9,
/// RFC 1570), Protocol-Reject, NCP lifecycle and data framing. Pure; frames leave through the
/// <see cref="IPppFrameSink"/>.
/// </summary>
public abstract class PppEndpoint : IPppEndpoint, INegotiationHost, IAuthOutput
{
    private readonly IPppFrameSink _sink;
    private readonly byte[] _tx = new byte[PppFrame.MaxFrameLength];
    private readonly Queue<Action> _pending = new();
    private int _depth;
    private bool _terminated;
    private bool _terminationReported;

    private protected PppEndpoint(
        IPppFrameSink sink, ILogger logger, NegotiationTimers timers, LcpPolicy lcpPolicy,
        INegotiationPolicy ipcpPolicy, INegotiationPolicy? ipv6cpPolicy)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(logger);
        _sink = sink;
        Logger = logger;
        LcpPolicy = lcpPolicy;
        Lcp = new NegotiationAutomaton(PppProtocol.Lcp, "LCP", lcpPolicy, this, timers, logger);
        Ipcp = new NegotiationAutomaton(PppProtocol.Ipcp, "IPCP", ipcpPolicy, this, timers, logger);
        if (ipv6cpPolicy is not null)
        {
            Ipv6cp = new NegotiationAutomaton(PppProtocol.Ipv6cp, "IPv6CP", ipv6cpPolicy, this, timers, logger);
        }
    }

    public PppPhase Phase { get; private protected set; } = PppPhase.Dead;

    public NegotiationState LcpState => Lcp.State;

    public NegotiationState IpcpState => Ipcp.State;

    /// <summary>State of IPv6CP, or null when IPv6 is disabled.</summary>
    public NegotiationState? Ipv6cpState => Ipv6cp?.State;

    /// <summary>The peer's MRU (largest information field we may send), after LCP negotiation.</summary>
    public int PeerMru => Math.Min(LcpPolicy.PeerMru, PppFrame.MaxInformationLength);

    /// <summary>Our MRU as acknowledged by the peer.</summary>
    public int LocalMru => LcpPolicy.OurMru;

    /// <summary>The reason given when the link terminated.</summary>
    public string? TerminationReason { get; private set; }

    public bool IsTerminated => _terminated;

    public long NextDeadlineMs
    {
        get
        {
            long next = Math.Min(Lcp.NextDeadlineMs, Ipcp.NextDeadlineMs);
            if (Ipv6cp is not null)
            {
                next = Math.Min(next, Ipv6cp.NextDeadlineMs);
            }

            return Math.Min(next, AuthenticationDeadlineMs);
        }
    }

    private protected ILogger Logger { get; }

    private protected LcpPolicy LcpPolicy { get; }

    private protected NegotiationAutomaton Lcp { get; }

    private protected NegotiationAutomaton Ipcp { get; }

    private protected NegotiationAutomaton? Ipv6cp { get; }

    private protected abstract long AuthenticationDeadlineMs { get; }

    public void LowerUp(long nowMs)
    {
        Enter();
        try
        {
            if (_terminated)
            {
                return;
            }

            Phase = PppPhase.Establish;
            Lcp.Open(nowMs);
            Lcp.Up(nowMs);
        }
        finally
        {
            Exit();
        }
    }

    public void LowerDown()
    {
        Enter();
        try
        {
            Lcp.Down(0);
            Ipcp.Down(0);
            Ipv6cp?.Down(0);
            Terminate(Lcp.LastReason ?? "lower layer down");
        }
        finally
        {
            Exit();
        }
    }

    public PppReceiveResult Receive(ReadOnlySpan<byte> frame, long nowMs)
    {
        Enter();
        try
        {
            return ReceiveCore(frame, nowMs);
        }
        finally
        {
            Exit();
        }
    }

    public void OnTimer(long nowMs)
    {
        Enter();
        try
        {
            Lcp.OnTimer(nowMs);
            Ipcp.OnTimer(nowMs);
            Ipv6cp?.OnTimer(nowMs);
            OnAuthenticationTimer(nowMs);
        }
        finally
        {
            Exit();
        }
    }

    public void Close(string reason, long nowMs)
    {
        Enter();
        try
        {
            if (Lcp.State == NegotiationState.Initial)
            {
                Terminate(reason);
                return;
            }

            Phase = PppPhase.Terminate;
            Lcp.Close(reason, nowMs);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Frames and sends one IPv4 packet (copying it); false when IPCP is not Opened or it is too large.</summary>
    public bool SendIPv4(ReadOnlySpan<byte> packet) => Ipcp.IsOpened && SendData(PppProtocol.IPv4, packet);

    /// <summary>Frames and sends one IPv6 packet (copying it); false when IPv6CP is not Opened or it is too large.</summary>
    public bool SendIPv6(ReadOnlySpan<byte> packet) => Ipv6cp is { IsOpened: true } && SendData(PppProtocol.IPv6, packet);

    // ---- INegotiationHost / IAuthOutput ----

    void INegotiationHost.SendControl(ushort protocol, ReadOnlySpan<byte> packet) => SendFrame(protocol, packet);

    void IAuthOutput.Send(ushort protocol, ReadOnlySpan<byte> packet) => SendFrame(protocol, packet);

    void INegotiationHost.ThisLayerUp(NegotiationAutomaton layer, long nowMs)
    {
        PppLog.LayerOpened(Logger, layer.Name);
        if (layer == Lcp)
        {
            int peerMru = Math.Min(LcpPolicy.PeerMru, PppFrame.MaxInformationLength);
            Lcp.PeerMru = peerMru;
            Ipcp.PeerMru = peerMru;
            if (Ipv6cp is not null)
            {
                Ipv6cp.PeerMru = peerMru;
            }

            OnLinkOpened(nowMs);
        }
        else if (layer == Ipcp)
        {
            OnIpcpOpened();
        }
        else
        {
            OnIpv6cpOpened();
        }
    }

    void INegotiationHost.ThisLayerDown(NegotiationAutomaton layer, long nowMs)
    {
        if (layer == Lcp)
        {
            // RFC 1661 3.7/3.4: leaving Opened takes the network layer down and ends authentication.
            Ipcp.Down(nowMs);
            Ipv6cp?.Down(nowMs);
            OnLinkDown();
            Phase = Lcp.State is NegotiationState.Closing or NegotiationState.Stopping
                ? PppPhase.Terminate
                : PppPhase.Establish;
        }
        else if (layer == Ipcp)
        {
            OnIpcpDown();
        }
        else
        {
            OnIpv6cpDown();
        }
    }

    void INegotiationHost.ThisLayerStarted(NegotiationAutomaton layer, long nowMs)
    {
    }

    void INegotiationHost.ThisLayerFinished(NegotiationAutomaton layer, long nowMs)
    {
        if (layer == Lcp)
        {
            Terminate(Lcp.LastReason ?? "LCP finished");
            return;
        }

        // RFC 1661 3.5: when the last network protocol is gone there is nothing left to carry.
        if (Lcp.IsOpened && IsFinished(Ipcp) && (Ipv6cp is null || IsFinished(Ipv6cp)))
        {
            Phase = PppPhase.Terminate;
            Lcp.Close("no network protocol (" + layer.Name + ": " + layer.LastReason + ")", nowMs);
        }
    }

    // ---- Role hooks ----

    /// <summary>LCP reached Opened: start authentication (or the network phase).</summary>
    private protected abstract void OnLinkOpened(long nowMs);

    /// <summary>LCP left Opened: forget the authentication exchange.</summary>
    private protected abstract void OnLinkDown();

    private protected abstract void OnAuthenticationTimer(long nowMs);

    /// <summary>Handles an authentication protocol packet; false when no exchange of that protocol is running.</summary>
    private protected abstract bool ReceiveAuthentication(ushort protocol, ReadOnlySpan<byte> packet, long nowMs);

    /// <summary>An NCP packet arrived in the network phase before the NCP was started.</summary>
    private protected virtual void DeferNcpPacket(NegotiationAutomaton ncp, in CpPacket packet)
    {
    }

    private protected abstract void OnIpcpOpened();

    private protected abstract void OnIpcpDown();

    private protected abstract void OnIpv6cpOpened();

    private protected abstract void OnIpv6cpDown();

    private protected abstract void OnTerminated(string reason);

    /// <summary>Queues a host notification until the current public call finishes.</summary>
    private protected void Raise(Action notification)
    {
        if (_depth > 0)
        {
            _pending.Enqueue(notification);
        }
        else
        {
            notification();
        }
    }

    /// <summary>Opens and starts an NCP (network phase, RFC 1661 3.5), then replays a deferred request.</summary>
    private protected void StartNcp(NegotiationAutomaton ncp, byte[]? deferredRequest, long nowMs)
    {
        ncp.Open(nowMs);
        ncp.Up(nowMs);
        if (deferredRequest is not null && CpPacket.TryParse(deferredRequest, out CpPacket packet) == CpParseStatus.Ok)
        {
            ncp.Receive(packet, nowMs);
        }
    }

    /// <summary>
    /// Authentication failed: RFC 1661 3.5, proceed to the Link Termination phase (LCP Terminate-Request).
    /// The text becomes LCP's LastReason, which both ends report when the link terminates.
    /// </summary>
    private protected void TerminateAfterAuthenticationFailure(string reason, long nowMs)
    {
        Phase = PppPhase.Terminate;
        Lcp.Close("authentication failed: " + reason, nowMs);
    }

    private protected void Enter() => _depth++;

    private protected void Exit()
    {
        if (--_depth > 0)
        {
            return;
        }

        while (_pending.TryDequeue(out Action? notification))
        {
            notification();
        }
    }

    private static bool IsFinished(NegotiationAutomaton ncp) =>
        ncp.State is NegotiationState.Closed or NegotiationState.Stopped;

    private PppReceiveResult ReceiveCore(ReadOnlySpan<byte> frame, long nowMs)
    {
        PppFrameStatus status = PppFrame.TryParse(frame, out ushort protocol, out int offset);
        if (status != PppFrameStatus.Ok)
        {
            PppLog.FrameDropped(Logger, status);
            return PppReceiveResult.Dropped;
        }

        ReadOnlySpan<byte> information = frame[offset..];
        switch (protocol)
        {
            case PppProtocol.IPv4:
                return Ipcp.IsOpened
                    ? new PppReceiveResult(PppReceiveKind.IPv4, offset, information.Length)
                    : PppReceiveResult.Dropped;
            case PppProtocol.IPv6:
                return Ipv6cp is { IsOpened: true }
                    ? new PppReceiveResult(PppReceiveKind.IPv6, offset, information.Length)
                    : PppReceiveResult.Dropped;
            case PppProtocol.Lcp:
                return ReceiveLcp(information, nowMs);
            case PppProtocol.Ipcp:
                return ReceiveNcp(Ipcp, information, nowMs);
            case PppProtocol.Ipv6cp when Ipv6cp is not null:
                return ReceiveNcp(Ipv6cp, information, nowMs);
        }

        if (Lcp.IsOpened && ReceiveAuthentication(protocol, information, nowMs))
        {
            return PppReceiveResult.Consumed;
        }

        return RejectProtocol(protocol, information);
    }

    private PppReceiveResult ReceiveLcp(ReadOnlySpan<byte> information, long nowMs)
    {
        CpParseStatus status = CpPacket.TryParse(information, out CpPacket packet);
        if (status != CpParseStatus.Ok)
        {
            PppLog.PacketDropped(Logger, PppProtocol.Lcp, status);
            return PppReceiveResult.Dropped;
        }

        switch (packet.Code)
        {
            case CpCode.ProtocolReject:
                if (Lcp.IsOpened && packet.Data.Length >= 2)
                {
                    ReceiveProtocolReject(BinaryPrimitives.ReadUInt16BigEndian(packet.Data), nowMs);
                }

                return PppReceiveResult.Consumed;
            case CpCode.EchoRequest:
                // RFC 1661 5.8: answered only in Opened; the reply carries our magic and the data, cut to the peer MRU.
                if (Lcp.IsOpened && packet.Data.Length >= 4)
                {
                    Span<byte> magic = stackalloc byte[4];
                    BinaryPrimitives.WriteUInt32BigEndian(magic, LcpPolicy.OurMagic);
                    SendLcp(CpCode.EchoReply, packet.Identifier, magic, packet.Data[4..]);
                }

                return PppReceiveResult.Consumed;
            case CpCode.EchoReply:
            case CpCode.DiscardRequest:
            case CpCode.Identification:
            case CpCode.TimeRemaining:
                // Discard-Request is discarded by definition (RFC 1661 5.9); Identification and Time-Remaining
                // (RFC 1570 2) are informational: Windows sends them after Opened and must not get a Code-Reject.
                return PppReceiveResult.Consumed;
            default:
                Lcp.Receive(packet, nowMs);
                return PppReceiveResult.Consumed;
        }
    }

    private PppReceiveResult ReceiveNcp(NegotiationAutomaton ncp, ReadOnlySpan<byte> information, long nowMs)
    {
        CpParseStatus status = CpPacket.TryParse(information, out CpPacket packet);
        if (status != CpParseStatus.Ok)
        {
            PppLog.PacketDropped(Logger, ncp.Protocol, status);
            return PppReceiveResult.Dropped;
        }

        if (Phase != PppPhase.Network)
        {
            // RFC 1661 3.5: NCP packets before the network phase are silently discarded.
            return PppReceiveResult.Dropped;
        }

        if (ncp.State is NegotiationState.Initial or NegotiationState.Starting)
        {
            DeferNcpPacket(ncp, packet);
            return PppReceiveResult.Consumed;
        }

        ncp.Receive(packet, nowMs);
        return PppReceiveResult.Consumed;
    }

    private void ReceiveProtocolReject(ushort protocol, long nowMs)
    {
        PppLog.ProtocolRejectReceived(Logger, protocol);
        if (protocol == PppProtocol.Ipcp)
        {
            Ipcp.ProtocolRejected(nowMs);
        }
        else if (protocol == PppProtocol.Ipv6cp && Ipv6cp is not null)
        {
            Ipv6cp.ProtocolRejected(nowMs);
        }
        else if (protocol == PppProtocol.Lcp)
        {
            Lcp.ProtocolRejected(nowMs);
        }
    }

    private PppReceiveResult RejectProtocol(ushort protocol, ReadOnlySpan<byte> information)
    {
        if (!Lcp.IsOpened)
        {
            // RFC 1661 5.7: Protocol-Reject only in Opened; before that unknown protocols are dropped.
            return PppReceiveResult.Dropped;
        }

        Span<byte> number = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(number, protocol);
        SendLcp(CpCode.ProtocolReject, Lcp.NextIdentifier(), number, information);
        PppLog.ProtocolRejectSent(Logger, protocol);
        return PppReceiveResult.Consumed;
    }

    /// <summary>Sends an LCP packet whose data is <paramref name="head"/> + <paramref name="tail"/>, cut to the peer MRU.</summary>
    private void SendLcp(byte code, byte identifier, ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail)
    {
        int room = PeerMru - CpPacket.HeaderLength - head.Length;
        if (room < 0)
        {
            return;
        }

        if (tail.Length > room)
        {
            tail = tail[..room];
        }

        int length = CpPacket.HeaderLength + head.Length + tail.Length;
        Span<byte> frame = _tx;
        PppFrame.WriteHeader(frame, PppProtocol.Lcp);
        Span<byte> packet = frame[PppFrame.HeaderLength..];
        packet[0] = code;
        packet[1] = identifier;
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)length);
        head.CopyTo(packet[CpPacket.HeaderLength..]);
        tail.CopyTo(packet[(CpPacket.HeaderLength + head.Length)..]);
        _sink.SendFrame(frame[..(PppFrame.HeaderLength + length)]);
    }

    private bool SendData(ushort protocol, ReadOnlySpan<byte> packet)
    {
        if (packet.Length > PeerMru)
        {
            return false;
        }

        SendFrame(protocol, packet);
        return true;
    }

    private void SendFrame(ushort protocol, ReadOnlySpan<byte> packet)
    {
        if (packet.Length > PppFrame.MaxInformationLength)
        {
            PppLog.OversizedPacket(Logger, protocol, packet.Length);
            return;
        }

        if (_terminated && protocol != PppProtocol.Lcp)
        {
            return;
        }

        PppFrame.WriteHeader(_tx, protocol);
        packet.CopyTo(_tx.AsSpan(PppFrame.HeaderLength));
        _sink.SendFrame(_tx.AsSpan(0, PppFrame.HeaderLength + packet.Length));
    }

    private void Terminate(string reason)
    {
        _terminated = true;
        Phase = PppPhase.Dead;
        if (_terminationReported)
        {
            return;
        }

        _terminationReported = true;
        TerminationReason = reason;
        PppLog.LinkTerminated(Logger, reason);
        OnTerminated(reason);
    }
}
