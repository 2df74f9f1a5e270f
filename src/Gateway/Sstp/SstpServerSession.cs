using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Gateway.Sstp;

/// <summary>
/// The server side of one SSTP call ([MS-SSTP] 3.3): Server_Connect_Request_Pending (negotiation timer, NAK with
/// retry count, then ABORT), CALL_CONNECT_ACK with a fresh nonce and Lower-Up of PPP, Server_Call_Connected_Pending
/// (PPP control frames only, 60 s for a valid CALL_CONNECTED, which is held until the HLAK is known), then
/// Server_Call_Connected. Teardown, echo and gating are in <see cref="SstpSession"/>.
/// </summary>
public sealed class SstpServerSession : SstpSession
{
    private readonly byte[] _certHashSha1;
    private readonly byte[] _certHashSha256;
    private readonly Func<byte[]> _nonceSource;
    private byte[]? _nonce;
    private byte[]? _hlak;
    private byte[]? _heldCallConnected;
    private int _nakCount;

    /// <param name="certHashSha1">SHA-1 (20 bytes) of the DER leaf certificate presented on this TLS connection.</param>
    /// <param name="certHashSha256">SHA-256 (32 bytes) of the same certificate.</param>
    /// <param name="output">Receives the bytes to send to the client.</param>
    /// <param name="nonceSource">Source of the 32-byte crypto binding nonce; the CSPRNG when null (tests inject one).</param>
    public SstpServerSession(
        SstpOptions options,
        byte[] certHashSha1,
        byte[] certHashSha256,
        IBufferWriter<byte> output,
        ILogger logger,
        Func<byte[]>? nonceSource = null)
        : base(options, output, logger)
    {
        ArgumentNullException.ThrowIfNull(certHashSha1);
        ArgumentNullException.ThrowIfNull(certHashSha256);
        if (certHashSha1.Length != SHA1.HashSizeInBytes || certHashSha256.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("Certificate hashes must be 20 (SHA-1) and 32 (SHA-256) bytes.");
        }

        if ((options.HashProtocols & (SstpHashProtocol.Sha1 | SstpHashProtocol.Sha256)) == 0
            || (options.HashProtocols & ~(SstpHashProtocol.Sha1 | SstpHashProtocol.Sha256)) != 0)
        {
            throw new ArgumentException("HashProtocols must be SHA-1, SHA-256 or both.", nameof(options));
        }

        _certHashSha1 = certHashSha1;
        _certHashSha256 = certHashSha256;
        _nonceSource = nonceSource ?? (() => RandomNumberGenerator.GetBytes(SstpConstants.NonceLength));
    }

    /// <summary>The nonce sent in CALL_CONNECT_ACK (null before).</summary>
    public ReadOnlyMemory<byte> Nonce => _nonce;

    /// <summary>The hash protocol of the verified crypto binding (None before).</summary>
    public SstpHashProtocol NegotiatedHashProtocol { get; private set; }

    /// <summary>NAKs sent so far.</summary>
    public int NakCount => _nakCount;

    /// <summary>Starts the call once the HTTP 200 was sent: Server_Connect_Request_Pending, negotiation timer.</summary>
    public void Start(long nowMs)
    {
        if (State != SstpState.Idle)
        {
            throw new InvalidOperationException("Start was already called.");
        }

        _ = Ppp;
        SetState(SstpState.ConnectRequestPending, nowMs + Options.ConnectRequestTimeoutMs);
    }

    /// <summary>
    /// Inner authentication completed (3.3.4.3): the 32-byte HLAK (32 zero bytes for PAP/CHAP). A CALL_CONNECTED
    /// held until now is verified here.
    /// </summary>
    public void OnHigherLayerAuthenticated(ReadOnlySpan<byte> hlak, long nowMs)
    {
        if (hlak.Length != SstpConstants.HlakLength)
        {
            throw new ArgumentException("The HLAK is 32 bytes (MS-SSTP 3.2.5.2.4).", nameof(hlak));
        }

        _hlak = hlak.ToArray();
        if (State == SstpState.CallConnectedPending && _heldCallConnected is { } held)
        {
            _heldCallConnected = null;
            VerifyMacAndConnect(held, nowMs);
        }
    }

    protected override bool IsPppControlState(SstpState state) => state == SstpState.CallConnectedPending;

    protected override void HandleCallMessage(SstpControlMessage message, ReadOnlySpan<byte> packet, long nowMs)
    {
        switch (State)
        {
            case SstpState.ConnectRequestPending when message.MessageType == SstpMessageType.CallConnectRequest:
                HandleConnectRequest(message, nowMs);
                return;
            case SstpState.CallConnectedPending when message.MessageType == SstpMessageType.CallConnected && _heldCallConnected is null:
                HandleCallConnected(message, packet, nowMs);
                return;
            default:
                // 3.3.5.2: any other message in these states is an abort condition.
                Abort(SstpAttributeId.NoError, SstpStatus.UnacceptedFrameReceived, $"unexpected {message.MessageType} in {State}", nowMs);
                return;
        }
    }

    private void HandleConnectRequest(SstpControlMessage message, long nowMs)
    {
        var problems = new List<SstpStatusInfo>();
        int protocolAttributes = 0;
        foreach (var attribute in message.Attributes)
        {
            switch (attribute.Id)
            {
                case SstpAttributeId.EncapsulatedProtocolId:
                    protocolAttributes++;
                    if (protocolAttributes == 2)
                    {
                        problems.Add(new SstpStatusInfo(attribute.Id, SstpStatus.DuplicateAttribute));
                    }
                    else if (protocolAttributes == 1)
                    {
                        if (!SstpEncapsulatedProtocolId.TryParse(attribute, out var protocol, out _))
                        {
                            problems.Add(new SstpStatusInfo(attribute.Id, SstpStatus.InvalidAttribValueLength));
                        }
                        else if (protocol.ProtocolId != SstpConstants.EncapsulatedProtocolPpp)
                        {
                            // 3.3.5.2.1: AttribValue carries the value the client proposed.
                            problems.Add(new SstpStatusInfo(attribute.Id, SstpStatus.ValueNotSupported, attribute.Value.ToArray()));
                        }
                    }

                    break;
                case SstpAttributeId.StatusInfo:
                    if (!SstpStatusInfo.TryParse(attribute, out var status, out _))
                    {
                        problems.Add(new SstpStatusInfo(attribute.Id, SstpStatus.InvalidAttribValueLength));
                    }
                    else if (status.Status != SstpStatus.NoError)
                    {
                        problems.Add(new SstpStatusInfo(attribute.Id, SstpStatus.StatusInfoNotSupportedInMsg));
                    }

                    break;
                default:
                    problems.Add(new SstpStatusInfo(attribute.Id, SstpStatus.UnrecognizedAttribute));
                    break;
            }
        }

        if (protocolAttributes == 0)
        {
            problems.Add(new SstpStatusInfo(SstpAttributeId.StatusInfo, SstpStatus.RequiredAttributeMissing));
        }

        if (problems.Count == 0)
        {
            SendAck(nowMs);
            return;
        }

        if (_nakCount >= Options.MaxNakCount)
        {
            Abort(SstpAttributeId.StatusInfo, SstpStatus.RetryCountExceeded, $"CALL_CONNECT_REQUEST still unacceptable after {_nakCount} NAKs", nowMs);
            return;
        }

        _nakCount++;
        SstpLog.ConnectRequestNak(Logger, problems.Count, _nakCount);

        // A NAK is limited to one packet; 4095 bytes hold more Status Infos than any sane request produces.
        int budget = SstpConstants.MaxPacketLength - SstpConstants.ControlHeaderLength;
        int count = 0;
        while (count < problems.Count && (budget -= problems[count].ToAttribute().EncodedLength) >= 0)
        {
            count++;
        }

        Send(SstpControlMessage.CallConnectNak(problems.GetRange(0, count).ToArray()));
    }

    private void SendAck(long nowMs)
    {
        byte[] nonce = _nonceSource();
        if (nonce.Length != SstpConstants.NonceLength)
        {
            throw new InvalidOperationException("The nonce source must return 32 bytes.");
        }

        _nonce = nonce;
        Send(SstpControlMessage.CallConnectAck(Options.HashProtocols, nonce));
        SstpLog.ConnectAckSent(Logger, Options.HashProtocols);

        // 3.3.5.2.1: the negotiation timer restarts, now waiting for CALL_CONNECTED; PPP starts (Lower-Up).
        SetState(SstpState.CallConnectedPending, nowMs + Options.CallConnectedTimeoutMs);
        RaisePpp(nowMs);
    }

    private void HandleCallConnected(SstpControlMessage message, ReadOnlySpan<byte> packet, long nowMs)
    {
        // 3.3.5.2.3 check 1: exactly one attribute, Crypto Binding of length 104, so the packet is 112 bytes.
        if (message.Attributes.Count != 1
            || !SstpCryptoBinding.TryParse(message.Attributes[0], out var binding, out _)
            || packet.Length != SstpConstants.CallConnectedLength)
        {
            string detail = message.Attributes.Count != 1
                ? $"{message.Attributes.Count} attributes"
                : message.Attributes[0].Id != SstpAttributeId.CryptoBinding ? "attribute " + message.Attributes[0].Id : "Crypto Binding length";
            SstpLog.CryptoBindingFailed(Logger, "message structure (" + detail + ")", SstpHashProtocol.None, false, false);
            Abort(SstpAttributeId.StatusInfo, SstpStatus.AttribNotSupportedInMsg, "invalid CALL_CONNECTED: " + detail, nowMs);
            return;
        }

        SstpHashProtocol protocol = binding.HashProtocol;
        if (protocol is not (SstpHashProtocol.Sha1 or SstpHashProtocol.Sha256) || (Options.HashProtocols & protocol) == 0)
        {
            CryptoBindingFailed("hash protocol", protocol, nowMs);
            return;
        }

        if (!SstpCompoundMac.NonceMatches(binding.Nonce.Span, _nonce))
        {
            CryptoBindingFailed("nonce", protocol, nowMs);
            return;
        }

        byte[] expectedCertHash = protocol == SstpHashProtocol.Sha1 ? _certHashSha1 : _certHashSha256;
        if (!SstpCompoundMac.CertHashMatches(protocol, binding.CertHash.Span, expectedCertHash))
        {
            CryptoBindingFailed("certificate hash", protocol, nowMs);
            return;
        }

        if (_hlak is null)
        {
            // Reference 1: the client sends CALL_CONNECTED right after PPP auth, possibly before our own
            // authenticator has produced the HLAK. Hold it; the negotiation timer still bounds the wait.
            _heldCallConnected = packet.ToArray();
            SstpLog.CallConnectedHeld(Logger);
            return;
        }

        VerifyMacAndConnect(packet, nowMs);
    }

    private void VerifyMacAndConnect(ReadOnlySpan<byte> callConnected, long nowMs)
    {
        var protocol = (SstpHashProtocol)callConnected[SstpConstants.CallConnectedHashProtocolOffset];
        if (!SstpCompoundMac.Verify(protocol, _hlak, callConnected))
        {
            bool hlakZero = _hlak.AsSpan().IndexOfAnyExcept((byte)0) < 0;
            bool zeroMatch = !hlakZero && SstpCompoundMac.Verify(protocol, new byte[SstpConstants.HlakLength], callConnected);
            SstpLog.CryptoBindingFailed(Logger, "compound MAC", protocol, hlakZero, zeroMatch);
            Abort(SstpAttributeId.CryptoBinding, SstpStatus.ValueNotSupported, "crypto binding: compound MAC mismatch", nowMs);
            return;
        }

        NegotiatedHashProtocol = protocol;
        SetState(SstpState.CallConnected, nowMs + Options.HelloIntervalMs);
        SstpLog.CallConnected(Logger, protocol);
    }

    protected override void OnClosed()
    {
        if (_hlak is not null)
        {
            CryptographicOperations.ZeroMemory(_hlak);
        }

        _heldCallConnected = null;
    }

    private void CryptoBindingFailed(string input, SstpHashProtocol protocol, long nowMs)
    {
        SstpLog.CryptoBindingFailed(Logger, input, protocol, false, false);
        Abort(SstpAttributeId.CryptoBinding, SstpStatus.ValueNotSupported, "crypto binding: " + input + " mismatch", nowMs);
    }
}
