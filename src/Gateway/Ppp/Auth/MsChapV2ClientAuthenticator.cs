namespace Gateway.Ppp.Auth;

/// <summary>
/// RFC 2759 MS-CHAPv2 peer. Like Windows, it fails when the server's Success does not carry the right "S="
/// value (the server could not be authenticated).
/// </summary>
internal sealed class MsChapV2ClientAuthenticator : ClientAuthenticatorBase
{
    private readonly MsChapV2PeerState _peer;
    private byte[]? _lastResponse;

    public MsChapV2ClientAuthenticator(ClientAuthenticatorContext context)
        : base(context)
    {
        _peer = new MsChapV2PeerState(context);
    }

    public override ushort Protocol => ChapPacket.Protocol;

    public override AuthStatus Receive(ReadOnlySpan<byte> packet, IAuthOutput output, long nowMs)
    {
        if (Status != AuthStatus.Pending || !AuthPacket.TryParse(packet, out byte code, out byte identifier, out ReadOnlySpan<byte> data))
        {
            return Status;
        }

        bool answersOurResponse = _lastResponse is not null && _lastResponse[1] == identifier;
        switch (code)
        {
            case ChapPacket.Challenge when answersOurResponse:
                output.Send(Protocol, _lastResponse!); // retransmitted Challenge: the same Response, or S= would not match
                break;
            case ChapPacket.Challenge:
                Span<byte> value = stackalloc byte[MsChapV2Verifier.ResponseValueLength];
                if (ChapPacket.TryParseValue(data, out ReadOnlySpan<byte> challenge, out _) && _peer.TryBuildResponseValue(challenge, value))
                {
                    _lastResponse = ChapPacket.CreateValue(ChapPacket.Response, identifier, value, _peer.UserName);
                    output.Send(Protocol, _lastResponse);
                }

                break;
            case ChapPacket.Success when answersOurResponse:
                Span<byte> hlak = stackalloc byte[MsChapV2Crypto.HlakLength];
                if (_peer.TryAcceptSuccess(data, hlak))
                {
                    Succeed(hlak);
                }
                else
                {
                    Fail("the server could not be authenticated: wrong or missing S= value in MS-CHAPv2 Success");
                }

                break;
            case ChapPacket.Failure when answersOurResponse:
                Fail(AuthText.Decode(data));
                break;
        }

        return Status;
    }
}
