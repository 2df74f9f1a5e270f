using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Gateway.Sstp;

/// <summary>
/// The client side of one SSTP call ([MS-SSTP] 3.2), for the project's own client and for tests:
/// CALL_CONNECT_REQUEST (NAK: resend, up to the retry count), CALL_CONNECT_ACK (SHA-256 when offered, store the
/// nonce, Lower-Up PPP), and after PPP authentication CALL_CONNECTED with nonce, the hash of the server certificate
/// seen in TLS and the Compound MAC over the HLAK.
/// </summary>
public sealed class SstpClientSession : SstpSession
{
    private readonly SstpClientOptions _clientOptions;
    private readonly byte[] _serverCertHashSha1;
    private readonly byte[] _serverCertHashSha256;
    private byte[]? _nonce;
    private int _nakCount;

    /// <param name="serverCertHashSha1">SHA-1 (20 bytes) of the server's DER leaf certificate seen during TLS.</param>
    /// <param name="serverCertHashSha256">SHA-256 (32 bytes) of the same certificate.</param>
    public SstpClientSession(
        SstpClientOptions options,
        byte[] serverCertHashSha1,
        byte[] serverCertHashSha256,
        IBufferWriter<byte> output,
        ILogger logger)
        : base(options, output, logger)
    {
        ArgumentNullException.ThrowIfNull(serverCertHashSha1);
        ArgumentNullException.ThrowIfNull(serverCertHashSha256);
        if (serverCertHashSha1.Length != SHA1.HashSizeInBytes || serverCertHashSha256.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("Certificate hashes must be 20 (SHA-1) and 32 (SHA-256) bytes.");
        }

        _clientOptions = options;
        _serverCertHashSha1 = serverCertHashSha1;
        _serverCertHashSha256 = serverCertHashSha256;
    }

    /// <summary>The hash protocol chosen from the server's offer (None before the ACK).</summary>
    public SstpHashProtocol HashProtocol { get; private set; }

    /// <summary>NAKs received so far.</summary>
    public int NakCount => _nakCount;

    /// <summary>After the HTTP 200: sends CALL_CONNECT_REQUEST, Client_Connect_Request_Sent, negotiation timer.</summary>
    public void Start(long nowMs)
    {
        if (State != SstpState.Idle)
        {
            throw new InvalidOperationException("Start was already called.");
        }

        _ = Ppp;
        Send(SstpControlMessage.CallConnectRequest());
        SetState(SstpState.ConnectRequestSent, nowMs + Options.ConnectRequestTimeoutMs);
    }

    /// <summary>
    /// PPP authentication succeeded (3.2.7.1) with this 32-byte HLAK: sends CALL_CONNECTED and enters
    /// Client_Call_Connected. Ignored unless in <see cref="SstpState.ConnectAckReceived"/>.
    /// </summary>
    public void OnHigherLayerAuthenticated(ReadOnlySpan<byte> hlak, long nowMs)
    {
        if (hlak.Length != SstpConstants.HlakLength)
        {
            throw new ArgumentException("The HLAK is 32 bytes (MS-SSTP 3.2.5.2.4).", nameof(hlak));
        }

        if (State != SstpState.ConnectAckReceived || _nonce is null)
        {
            return;
        }

        byte[] certHash = HashProtocol == SstpHashProtocol.Sha1 ? _serverCertHashSha1 : _serverCertHashSha256;
        byte[] message = SstpControlMessage.CallConnected(new SstpCryptoBinding(HashProtocol, _nonce, certHash, default)).ToArray();
        _clientOptions.MutateCallConnectedBeforeMac?.Invoke(message);
        SstpCompoundMac.Compute(HashProtocol, hlak, message, message.AsSpan(SstpConstants.CallConnectedMacOffset));
        _clientOptions.MutateCallConnectedAfterMac?.Invoke(message);

        // Written raw: the hooks may have produced bytes the typed encoder would refuse.
        Send(message);
        SetState(SstpState.CallConnected, nowMs + Options.HelloIntervalMs);
    }

    protected override bool IsPppControlState(SstpState state) => state == SstpState.ConnectAckReceived;

    protected override void HandleCallMessage(SstpControlMessage message, ReadOnlySpan<byte> packet, long nowMs)
    {
        if (State == SstpState.ConnectRequestSent)
        {
            if (message.MessageType == SstpMessageType.CallConnectAck)
            {
                HandleAck(message, nowMs);
                return;
            }

            if (message.MessageType == SstpMessageType.CallConnectNak)
            {
                HandleNak(nowMs);
                return;
            }
        }

        // 3.2.5: anything else (a second ACK, a CALL_CONNECTED from the server ...) is an abort condition.
        Abort(SstpAttributeId.NoError, SstpStatus.UnacceptedFrameReceived, $"unexpected {message.MessageType} in {State}", nowMs);
    }

    private void HandleAck(SstpControlMessage message, long nowMs)
    {
        if (message.Attributes.Count != 1
            || !SstpCryptoBindingRequest.TryParse(message.Attributes[0], out var request, out _))
        {
            Abort(SstpAttributeId.CryptoBindingRequest, SstpStatus.RequiredAttributeMissing, "CALL_CONNECT_ACK without a valid Crypto Binding Request", nowMs);
            return;
        }

        SstpHashProtocol common = request.HashProtocols & Options.HashProtocols;
        SstpHashProtocol chosen = (common & SstpHashProtocol.Sha256) != 0 ? SstpHashProtocol.Sha256
            : (common & SstpHashProtocol.Sha1) != 0 ? SstpHashProtocol.Sha1
            : SstpHashProtocol.None;
        if (chosen == SstpHashProtocol.None)
        {
            Abort(SstpAttributeId.CryptoBindingRequest, SstpStatus.ValueNotSupported, $"no common hash protocol (server offered {request.HashProtocols})", nowMs);
            return;
        }

        SstpLog.HashChosen(Logger, request.HashProtocols, chosen);
        HashProtocol = chosen;
        _nonce = request.Nonce.ToArray();
        SetState(SstpState.ConnectAckReceived, nowMs + Options.CallConnectedTimeoutMs);
        RaisePpp(nowMs);
    }

    private void HandleNak(long nowMs)
    {
        _nakCount++;
        SstpLog.NakReceived(Logger, _nakCount);
        if (_nakCount > Options.MaxNakCount)
        {
            Abort(SstpAttributeId.StatusInfo, SstpStatus.RetryCountExceeded, "CALL_CONNECT_REQUEST NAKed too often", nowMs);
            return;
        }

        Send(SstpControlMessage.CallConnectRequest());
        SetState(SstpState.ConnectRequestSent, nowMs + Options.ConnectRequestTimeoutMs);
    }
}
