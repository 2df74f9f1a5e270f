using System.Security.Cryptography;
using Gateway.Credentials;

namespace Gateway.Ppp.Auth;

/// <summary>
/// Server-side check of an MS-CHAPv2 Response value (RFC 2759 4), shared by MS-CHAPv2 and EAP-MSCHAPv2,
/// and the Success/Failure message texts (RFC 2759 5, 6).
/// </summary>
internal static class MsChapV2Verifier
{
    /// <summary>RFC 2759 4: Response Value-Size is 49.</summary>
    public const int ResponseValueLength = 49;

    /// <summary>RFC 2759 6 error codes.</summary>
    public const int ErrorAccountDisabled = 647, ErrorAuthenticationFailure = 691;

    /// <summary>
    /// Verifies <paramref name="value"/> (Peer-Challenge 16, Reserved 8, NT-Response 24, Flags 1) for the
    /// peer's <paramref name="name"/>. On success fills <paramref name="hlak"/> and returns the "S=..." text.
    /// </summary>
    public static MsChapV2Result Verify(
        ICredentialStore credentials,
        ReadOnlySpan<byte> authenticatorChallenge,
        ReadOnlySpan<byte> value,
        ReadOnlySpan<byte> name,
        Span<byte> hlak)
    {
        if (value.Length != ResponseValueLength)
        {
            return MsChapV2Result.Failed(ErrorAuthenticationFailure, $"Response Value-Size {value.Length}, expected {ResponseValueLength}");
        }

        ReadOnlySpan<byte> peerChallenge = value[..16];
        ReadOnlySpan<byte> ntResponse = value.Slice(24, MsChapV2Crypto.NtResponseLength);

        // RFC 2759 8.2: the name used for hashing has any DOMAIN\ prefix removed; so does the store lookup.
        ReadOnlySpan<byte> userName = AuthText.StripDomain(name);
        string lookupName = AuthText.Decode(userName);
        UserCredential? user = credentials.Find(lookupName);
        if (user is null)
        {
            return MsChapV2Result.Failed(ErrorAuthenticationFailure, $"unknown user '{AuthText.ForLog(lookupName)}'");
        }

        if (user.NtHash.Length != MsChapV2Crypto.PasswordHashLength)
        {
            return MsChapV2Result.Failed(ErrorAuthenticationFailure, "stored NT hash is not 16 bytes");
        }

        if (user.Disabled)
        {
            return MsChapV2Result.Failed(ErrorAccountDisabled, "account disabled");
        }

        Span<byte> expected = stackalloc byte[MsChapV2Crypto.NtResponseLength];
        MsChapV2Crypto.GenerateNtResponse(authenticatorChallenge, peerChallenge, userName, user.NtHash, expected);
        bool match = CryptographicOperations.FixedTimeEquals(expected, ntResponse);
        CryptographicOperations.ZeroMemory(expected);
        if (!match)
        {
            return MsChapV2Result.Failed(ErrorAuthenticationFailure, "wrong password");
        }

        Span<byte> authenticatorResponse = stackalloc byte[MsChapV2Crypto.AuthenticatorResponseLength];
        MsChapV2Crypto.GenerateAuthenticatorResponse(user.NtHash, ntResponse, peerChallenge, authenticatorChallenge, userName, authenticatorResponse);
        MsChapV2Crypto.DeriveHlak(user.NtHash, ntResponse, hlak);
        return MsChapV2Result.Succeeded(MsChapV2Crypto.FormatAuthenticatorResponse(authenticatorResponse));
    }

    /// <summary>RFC 2759 5: "S=&lt;auth_string&gt; M=&lt;message&gt;".</summary>
    public static string SuccessMessage(string authenticatorResponse) => authenticatorResponse + " M=" + AuthText.AccessGranted;

    /// <summary>
    /// RFC 2759 6: "E=eeeeeeeeee R=r C=cccc V=vvvvvvvvvv M=msg". R=0: no retry (Windows re-prompts in a loop
    /// otherwise, reference 6.1); C is a fresh challenge anyway; V=3 per RFC 2759 6.
    /// </summary>
    public static string FailureMessage(int errorCode, ReadOnlySpan<byte> newChallenge) =>
        $"E={errorCode} R=0 C={Convert.ToHexString(newChallenge)} V=3 M="
        + (errorCode == ErrorAccountDisabled ? AuthText.AccountDisabled : AuthText.AuthenticationFailed);
}
