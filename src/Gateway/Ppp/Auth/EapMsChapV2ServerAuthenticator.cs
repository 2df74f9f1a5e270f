using System.Security.Cryptography;
using System.Text;

namespace Gateway.Ppp.Auth;

/// <summary>
/// RFC 3748 EAP authenticator running EAP-MSCHAPv2 (type 26): Request/Identity, MS-CHAPv2 Challenge, Response,
/// Success-Request, the peer's Success-Response, then EAP Success. Failure: Failure-Request, the peer's
/// Failure-Response, EAP Failure. HLAK = first 32 bytes of the MSK = MasterReceiveKey | MasterSendKey
/// ([MS-CHAP] 3.1.5.1, reference 5.4), the same value as plain MS-CHAPv2.
/// </summary>
internal sealed class EapMsChapV2ServerAuthenticator : ServerAuthenticatorBase
{
    private readonly byte[] _challenge = new byte[MsChapV2Crypto.ChallengeLength];
    private readonly byte[] _pendingHlak = new byte[MsChapV2Crypto.HlakLength];
    private State _state;
    private byte _identifier;
    private string? _pendingFailure;

    private enum State
    {
        Idle,
        WaitIdentity,
        WaitResponse,
        WaitSuccessAck,
        WaitFailureAck,
        Done,
    }

    public EapMsChapV2ServerAuthenticator(ServerAuthenticatorContext context)
        : base(context)
    {
    }

    public override ushort Protocol => EapPacket.Protocol;

    protected override AuthMethod Method => AuthMethod.EapMsChapV2;

    protected override void OnStart(IAuthOutput output, long nowMs)
    {
        _identifier = NewIdentifier();
        _state = State.WaitIdentity;
        SendRequest(output, EapPacket.Create(EapPacket.Request, _identifier, EapPacket.TypeIdentity, default), nowMs);
    }

    public override AuthStatus Receive(ReadOnlySpan<byte> packet, IAuthOutput output, long nowMs)
    {
        if (!AuthPacket.TryParse(packet, out byte code, out byte identifier, out ReadOnlySpan<byte> data))
        {
            Discard("bad header or length");
            return Status;
        }

        // RFC 3748 4.1: the authenticator only takes Responses matching the outstanding Request's Identifier.
        if (code != EapPacket.Response || identifier != _identifier || _state is State.Idle or State.Done)
        {
            Discard($"code {code} identifier {identifier}, waiting for Response {_identifier} in {_state}");
            return Status;
        }

        if (data.Length < 1)
        {
            Discard("Response without a Type");
            return Status;
        }

        byte type = data[0];
        ReadOnlySpan<byte> typeData = data[1..];

        if (type == EapPacket.TypeNak && _state == State.WaitResponse)
        {
            // RFC 3748 5.3.1: the peer does not do EAP-MSCHAPv2; we offer nothing else.
            FinishWithEapFailure(output, "peer refused EAP-MSCHAPv2 (EAP Nak, desired types: " + DescribeTypes(typeData) + ")");
            return Status;
        }

        switch (_state)
        {
            case State.WaitIdentity when type == EapPacket.TypeIdentity:
                // RFC 3748 5.1: the identity is informational; the MS-CHAPv2 Response name is what gets verified.
                UserName = AuthText.Decode(typeData);
                SendChallenge(output, nowMs);
                break;
            case State.WaitResponse when type == EapPacket.TypeMsChapV2:
                HandleResponse(typeData, output, nowMs);
                break;
            case State.WaitSuccessAck when type == EapPacket.TypeMsChapV2 && typeData.Length >= 1 && typeData[0] == EapPacket.OpSuccess:
                SendFinal(output, EapPacket.CreateResult(EapPacket.Success, _identifier));
                _state = State.Done;
                Succeed(_pendingHlak);
                CryptographicOperations.ZeroMemory(_pendingHlak);
                break;
            case State.WaitFailureAck when type == EapPacket.TypeMsChapV2 && typeData.Length >= 1 && typeData[0] == EapPacket.OpFailure:
                FinishWithEapFailure(output, _pendingFailure!);
                break;
            default:
                Discard($"Type {type} unexpected in {_state}");
                break;
        }

        return Status;
    }

    private void SendChallenge(IAuthOutput output, long nowMs)
    {
        _identifier++;
        NewChallenge(_challenge);

        // draft-kamath 2.1: Value-Size(16), Challenge, Name; MS-CHAPv2-ID = EAP Identifier like hostapd and Windows.
        ReadOnlySpan<byte> name = Context.ServerName;
        Span<byte> body = stackalloc byte[1 + _challenge.Length + name.Length];
        body[0] = (byte)_challenge.Length;
        _challenge.CopyTo(body[1..]);
        name.CopyTo(body[(1 + _challenge.Length)..]);
        _state = State.WaitResponse;
        SendRequest(output, EapPacket.CreateMsChapV2(EapPacket.Request, _identifier, EapPacket.OpChallenge, _identifier, body), nowMs);
    }

    private void HandleResponse(ReadOnlySpan<byte> typeData, IAuthOutput output, long nowMs)
    {
        // draft-kamath 2.2: OpCode 2, MS-CHAPv2-ID, MS-Length, Value-Size(49), Response(49), Name.
        if (typeData.Length < EapPacket.MsChapV2HeaderLength || typeData[0] != EapPacket.OpResponse)
        {
            Discard("not an EAP-MSCHAPv2 Response");
            return;
        }

        byte msChapV2Id = typeData[1];
        if (!ChapPacket.TryParseValue(typeData[EapPacket.MsChapV2HeaderLength..], out ReadOnlySpan<byte> value, out ReadOnlySpan<byte> name))
        {
            Discard("Value-Size exceeds the packet");
            return;
        }

        UserName = AuthText.Decode(name);
        MsChapV2Result result = MsChapV2Verifier.Verify(Credentials, _challenge, value, name, _pendingHlak);
        _identifier++;
        if (result.Success)
        {
            byte[] message = Encoding.ASCII.GetBytes(MsChapV2Verifier.SuccessMessage(result.AuthenticatorResponse!));
            _state = State.WaitSuccessAck;
            SendRequest(output, EapPacket.CreateMsChapV2(EapPacket.Request, _identifier, EapPacket.OpSuccess, msChapV2Id, message), nowMs);
        }
        else
        {
            Span<byte> newChallenge = stackalloc byte[MsChapV2Crypto.ChallengeLength];
            NewChallenge(newChallenge);
            byte[] message = Encoding.ASCII.GetBytes(MsChapV2Verifier.FailureMessage(result.ErrorCode, newChallenge));
            _pendingFailure = result.Reason;
            _state = State.WaitFailureAck;
            SendRequest(output, EapPacket.CreateMsChapV2(EapPacket.Request, _identifier, EapPacket.OpFailure, msChapV2Id, message), nowMs);
        }
    }

    protected override void GiveUp(IAuthOutput output, string reason)
    {
        string detail = _state switch
        {
            State.WaitIdentity => "no Response/Identity",
            State.WaitResponse => "no EAP-MSCHAPv2 Response",
            State.WaitSuccessAck => "the peer did not acknowledge the Success-Request (did it reject our S= value?)",
            State.WaitFailureAck => (_pendingFailure ?? "authentication failed") + "; the peer did not acknowledge the Failure-Request",
            _ => string.Empty,
        };
        FinishWithEapFailure(output, detail + ": " + reason);
    }

    private void FinishWithEapFailure(IAuthOutput output, string reason)
    {
        SendFinal(output, EapPacket.CreateResult(EapPacket.Failure, _identifier));
        _state = State.Done;
        CryptographicOperations.ZeroMemory(_pendingHlak);
        Fail(reason);
    }

    private static string DescribeTypes(ReadOnlySpan<byte> types)
    {
        if (types.IsEmpty)
        {
            return "none";
        }

        var text = new StringBuilder();
        foreach (byte type in types)
        {
            text.Append(text.Length == 0 ? string.Empty : ", ").Append(type);
        }

        return text.ToString();
    }
}
