using System.Security.Cryptography;

namespace Gateway.Ppp.Auth;

/// <summary>
/// RFC 2759 MS-CHAPv2 authenticator (CHAP algorithm 0x81). Success carries "S=&lt;AuthenticatorResponse&gt;", which
/// Windows requires; the HLAK is the server's MasterReceiveKey | MasterSendKey (RFC 3079, reference 5.4).
/// </summary>
internal sealed class MsChapV2ServerAuthenticator : ServerAuthenticatorBase
{
    private readonly byte[] _challenge = new byte[MsChapV2Crypto.ChallengeLength];
    private byte _identifier;
    private byte[]? _final;

    public MsChapV2ServerAuthenticator(ServerAuthenticatorContext context)
        : base(context)
    {
    }

    public override ushort Protocol => ChapPacket.Protocol;

    protected override AuthMethod Method => AuthMethod.MsChapV2;

    protected override void OnStart(IAuthOutput output, long nowMs)
    {
        _identifier = NewIdentifier();
        NewChallenge(_challenge);
        SendRequest(output, ChapPacket.CreateValue(ChapPacket.Challenge, _identifier, _challenge, Context.ServerName), nowMs);
    }

    public override AuthStatus Receive(ReadOnlySpan<byte> packet, IAuthOutput output, long nowMs)
    {
        if (!AuthPacket.TryParse(packet, out byte code, out byte identifier, out ReadOnlySpan<byte> data))
        {
            Discard("bad header or length");
            return Status;
        }

        if (code != ChapPacket.Response || identifier != _identifier)
        {
            // RFC 1994 4.1 / RFC 2759 4: other codes from the peer and stale Identifiers are discarded.
            // Change-Password (code 7, RFC 2759 7) is not offered: failures say R=0.
            Discard($"code {code} identifier {identifier}, waiting for Response {_identifier}");
            return Status;
        }

        if (Status != AuthStatus.Pending)
        {
            if (_final is not null)
            {
                output.Send(Protocol, _final);
            }

            return Status;
        }

        if (!ChapPacket.TryParseValue(data, out ReadOnlySpan<byte> value, out ReadOnlySpan<byte> name))
        {
            Discard("Value-Size exceeds the packet");
            return Status;
        }

        UserName = AuthText.Decode(name);
        Span<byte> hlak = stackalloc byte[MsChapV2Crypto.HlakLength];
        MsChapV2Result result = MsChapV2Verifier.Verify(Credentials, _challenge, value, name, hlak);
        if (result.Success)
        {
            _final = ChapPacket.CreateMessage(ChapPacket.Success, _identifier, MsChapV2Verifier.SuccessMessage(result.AuthenticatorResponse!));
            SendFinal(output, _final);
            Succeed(hlak);
        }
        else
        {
            Span<byte> newChallenge = stackalloc byte[MsChapV2Crypto.ChallengeLength];
            NewChallenge(newChallenge);
            _final = ChapPacket.CreateMessage(ChapPacket.Failure, _identifier, MsChapV2Verifier.FailureMessage(result.ErrorCode, newChallenge));
            SendFinal(output, _final);
            Fail(result.Reason!);
        }

        CryptographicOperations.ZeroMemory(hlak);
        return Status;
    }
}
