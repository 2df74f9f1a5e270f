using System.Security.Cryptography;

namespace Gateway.Ppp.Auth;

/// <summary>
/// RFC 2759 MS-CHAPv2 authenticator (CHAP algorithm 0x81). Success carries "S=&lt;AuthenticatorResponse&gt;", which
/// Windows requires; the HLAK is the server's MasterReceiveKey | MasterSendKey (RFC 3079, reference 5.4).
/// </summary>
internal sealed class MsChapV2ServerAuthenticator : ChapServerAuthenticatorBase
{
    public MsChapV2ServerAuthenticator(ServerAuthenticatorContext context)
        : base(context, MsChapV2Crypto.ChallengeLength)
    {
    }

    protected override AuthMethod Method => AuthMethod.MsChapV2;

    protected override void JudgeResponse(ReadOnlySpan<byte> value, ReadOnlySpan<byte> name, IAuthOutput output)
    {
        Span<byte> hlak = stackalloc byte[MsChapV2Crypto.HlakLength];
        MsChapV2Result result = MsChapV2Verifier.Verify(Credentials, Challenge, value, name, hlak);
        if (result.Success)
        {
            SendResult(output, ChapPacket.Success, MsChapV2Verifier.SuccessMessage(result.AuthenticatorResponse!));
            Succeed(hlak);
        }
        else
        {
            Span<byte> newChallenge = stackalloc byte[MsChapV2Crypto.ChallengeLength];
            NewChallenge(newChallenge);
            SendResult(output, ChapPacket.Failure, MsChapV2Verifier.FailureMessage(result.ErrorCode, newChallenge));
            Fail(result.Reason!);
        }

        CryptographicOperations.ZeroMemory(hlak);
    }
}
