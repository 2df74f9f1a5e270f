using System.Security.Cryptography;
using System.Text;

namespace Gateway.Ppp.Auth;

/// <summary>
/// RFC 1994 CHAP with MD5 (algorithm 5). Response = MD5(Identifier | secret | Challenge), so the user needs a
/// clear-text password in the store (<see cref="Gateway.Credentials.UserCredential.Password"/>). HLAK is zero.
/// </summary>
internal sealed class ChapMd5ServerAuthenticator : ChapServerAuthenticatorBase
{
    /// <summary>RFC 1994 4.1: challenge length is free; 16 bytes like pppd.</summary>
    private const int ChallengeLength = 16;

    /// <summary>MD5 output, the only valid Response Value-Size (RFC 1994 4.1 with algorithm 5).</summary>
    private const int ResponseLength = 16;

    public ChapMd5ServerAuthenticator(ServerAuthenticatorContext context)
        : base(context, ChallengeLength)
    {
    }

    protected override AuthMethod Method => AuthMethod.ChapMd5;

    protected override void JudgeResponse(ReadOnlySpan<byte> value, ReadOnlySpan<byte> name, IAuthOutput output)
    {
        if (value.Length != ResponseLength)
        {
            Finish(output, success: false, $"Response Value-Size {value.Length}, expected {ResponseLength}");
            return;
        }

        string lookupName = AuthText.Decode(AuthText.StripDomain(name));
        var user = Credentials.Find(lookupName);
        if (user is null)
        {
            Finish(output, success: false, $"unknown user '{AuthText.ForLog(lookupName)}'");
        }
        else if (user.Disabled)
        {
            Finish(output, success: false, "account disabled");
        }
        else if (user.Password is null)
        {
            Finish(output, success: false, "CHAP-MD5 needs a clear-text password, and none is stored for this user (only the NT hash)");
        }
        else
        {
            Span<byte> expected = stackalloc byte[ResponseLength];
            ComputeResponse(Identifier, user.Password, Challenge, expected);
            bool match = CryptographicOperations.FixedTimeEquals(expected, value);
            CryptographicOperations.ZeroMemory(expected);
            Finish(output, match, match ? null : "wrong password");
        }
    }

    /// <summary>RFC 1994 4.1 with MD5 (RFC 1994 2.2): MD5(Identifier | secret | Challenge); secret as UTF-8.</summary>
    internal static void ComputeResponse(byte identifier, string secret, ReadOnlySpan<byte> challenge, Span<byte> response)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        md5.AppendData([identifier]);
        byte[] secretBytes = Encoding.UTF8.GetBytes(secret);
        md5.AppendData(secretBytes);
        CryptographicOperations.ZeroMemory(secretBytes);
        md5.AppendData(challenge);
        md5.GetHashAndReset(response);
    }

    private void Finish(IAuthOutput output, bool success, string? reason)
    {
        SendResult(
            output,
            success ? ChapPacket.Success : ChapPacket.Failure,
            success ? AuthText.AccessGranted : AuthText.AuthenticationFailed);
        if (success)
        {
            Succeed(stackalloc byte[MsChapV2Crypto.HlakLength]);
        }
        else
        {
            Fail(reason ?? "authentication failed");
        }
    }
}
