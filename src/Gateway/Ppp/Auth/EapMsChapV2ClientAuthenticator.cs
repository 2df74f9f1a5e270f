using System.Text;

namespace Gateway.Ppp.Auth;

/// <summary>
/// RFC 3748 EAP peer that does EAP-MSCHAPv2 (type 26) only: answers Identity, Naks other types, checks the
/// server's S= value before acknowledging the Success-Request, and refuses an EAP Success that arrives before
/// the MS-CHAPv2 exchange proved the server (mutual authentication, RFC 3748 4.2).
/// </summary>
internal sealed class EapMsChapV2ClientAuthenticator : ClientAuthenticatorBase
{
    private readonly MsChapV2PeerState _peer;
    private readonly byte[] _hlak = new byte[MsChapV2Crypto.HlakLength];
    private byte[]? _lastResponse;
    private bool _serverVerified;
    private string? _serverFailure;

    public EapMsChapV2ClientAuthenticator(ClientAuthenticatorContext context)
        : base(context)
    {
        _peer = new MsChapV2PeerState(context);
    }

    public override ushort Protocol => EapPacket.Protocol;

    public override AuthStatus Receive(ReadOnlySpan<byte> packet, IAuthOutput output, long nowMs)
    {
        if (Status != AuthStatus.Pending || !AuthPacket.TryParse(packet, out byte code, out byte identifier, out ReadOnlySpan<byte> data))
        {
            return Status;
        }

        switch (code)
        {
            case EapPacket.Success:
                if (_serverVerified)
                {
                    Succeed(_hlak);
                }
                else
                {
                    Fail("EAP Success before the server proved itself (no verified EAP-MSCHAPv2 Success-Request)");
                }

                break;
            case EapPacket.Failure:
                Fail(_serverFailure ?? "EAP Failure");
                break;
            case EapPacket.Request when _lastResponse is not null && _lastResponse[1] == identifier:
                output.Send(Protocol, _lastResponse); // RFC 3748 4.1: duplicate Request, resend the last Response
                break;
            case EapPacket.Request when data.Length >= 1:
                HandleRequest(identifier, data[0], data[1..], output);
                break;
        }

        return Status;
    }

    private void HandleRequest(byte identifier, byte type, ReadOnlySpan<byte> typeData, IAuthOutput output)
    {
        switch (type)
        {
            case EapPacket.TypeIdentity:
                Respond(output, EapPacket.Create(EapPacket.Response, identifier, EapPacket.TypeIdentity, AuthText.EncodeName(Context.UserName)));
                break;
            case EapPacket.TypeNotification:
                Respond(output, EapPacket.Create(EapPacket.Response, identifier, EapPacket.TypeNotification, default)); // RFC 3748 5.2
                break;
            case EapPacket.TypeMsChapV2:
                HandleMsChapV2(identifier, typeData, output);
                break;
            case EapPacket.TypeNak:
                break; // RFC 3748 5.3: Nak only appears in Responses
            default:
                Respond(output, EapPacket.Create(EapPacket.Response, identifier, EapPacket.TypeNak, [EapPacket.TypeMsChapV2])); // RFC 3748 5.3.1
                break;
        }
    }

    private void HandleMsChapV2(byte identifier, ReadOnlySpan<byte> typeData, IAuthOutput output)
    {
        if (typeData.Length < EapPacket.MsChapV2HeaderLength)
        {
            return;
        }

        byte opCode = typeData[0];
        byte msChapV2Id = typeData[1];
        ReadOnlySpan<byte> body = typeData[EapPacket.MsChapV2HeaderLength..];
        switch (opCode)
        {
            case EapPacket.OpChallenge:
                Span<byte> value = stackalloc byte[MsChapV2Verifier.ResponseValueLength];
                if (ChapPacket.TryParseValue(body, out ReadOnlySpan<byte> challenge, out _) && _peer.TryBuildResponseValue(challenge, value))
                {
                    ReadOnlySpan<byte> name = _peer.UserName;
                    Span<byte> responseBody = stackalloc byte[1 + value.Length + name.Length];
                    responseBody[0] = (byte)value.Length;
                    value.CopyTo(responseBody[1..]);
                    name.CopyTo(responseBody[(1 + value.Length)..]);
                    Respond(output, EapPacket.CreateMsChapV2(EapPacket.Response, identifier, EapPacket.OpResponse, msChapV2Id, responseBody));
                }

                break;
            case EapPacket.OpSuccess:
                if (_peer.TryAcceptSuccess(body, _hlak))
                {
                    _serverVerified = true;
                    Respond(output, EapPacket.CreateMsChapV2(EapPacket.Response, identifier, EapPacket.OpSuccess, msChapV2Id, default, opCodeOnly: true));
                }
                else
                {
                    Fail("the server could not be authenticated: wrong or missing S= value in EAP-MSCHAPv2 Success-Request");
                }

                break;
            case EapPacket.OpFailure:
                _serverFailure = Encoding.ASCII.GetString(body);
                Respond(output, EapPacket.CreateMsChapV2(EapPacket.Response, identifier, EapPacket.OpFailure, msChapV2Id, default, opCodeOnly: true));
                break;
        }
    }

    private void Respond(IAuthOutput output, byte[] response)
    {
        _lastResponse = response;
        output.Send(Protocol, response);
    }
}
