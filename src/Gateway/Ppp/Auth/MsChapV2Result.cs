namespace Gateway.Ppp.Auth;

/// <summary>Outcome of <see cref="MsChapV2Verifier.Verify"/>.</summary>
internal readonly record struct MsChapV2Result(bool Success, int ErrorCode, string? Reason, string? AuthenticatorResponse)
{
    public static MsChapV2Result Failed(int errorCode, string reason) => new(false, errorCode, reason, null);

    public static MsChapV2Result Succeeded(string authenticatorResponse) => new(true, 0, null, authenticatorResponse);
}
