namespace Gateway.Ppp.Auth;

/// <summary>RFC 1994 CHAP-MD5 peer: answers each Challenge with MD5(Identifier | password | Challenge).</summary>
internal sealed class ChapMd5ClientAuthenticator : ClientAuthenticatorBase
{
    private byte[]? _lastResponse;

    public ChapMd5ClientAuthenticator(ClientAuthenticatorContext context)
        : base(context)
    {
    }

    public override ushort Protocol => ChapPacket.Protocol;

    public override AuthStatus Receive(ReadOnlySpan<byte> packet, IAuthOutput output, long nowMs)
    {
        if (Status == AuthStatus.Failed || !AuthPacket.TryParse(packet, out byte code, out byte identifier, out ReadOnlySpan<byte> data))
        {
            return Status;
        }

        switch (code)
        {
            case ChapPacket.Challenge:
                if (_lastResponse is not null && _lastResponse[1] == identifier)
                {
                    output.Send(Protocol, _lastResponse); // retransmitted Challenge: same answer (RFC 1994 4.1)
                }
                else if (ChapPacket.TryParseValue(data, out ReadOnlySpan<byte> challenge, out _))
                {
                    Span<byte> response = stackalloc byte[16];
                    ChapMd5ServerAuthenticator.ComputeResponse(identifier, Context.Password, challenge, response);
                    _lastResponse = ChapPacket.CreateValue(ChapPacket.Response, identifier, response, AuthText.EncodeName(Context.UserName));
                    output.Send(Protocol, _lastResponse);
                }

                break;
            case ChapPacket.Success when Status == AuthStatus.Pending && _lastResponse is not null && _lastResponse[1] == identifier:
                Succeed(stackalloc byte[MsChapV2Crypto.HlakLength]);
                break;
            case ChapPacket.Failure when Status == AuthStatus.Pending && _lastResponse is not null && _lastResponse[1] == identifier:
                Fail("CHAP Failure: " + AuthText.Decode(data));
                break;
        }

        return Status;
    }
}
