using System.Security.Cryptography;
using System.Text;

namespace Gateway.Ppp.Auth;

/// <summary>
/// The peer's side of one MS-CHAPv2 exchange (RFC 2759 4, 5), shared by the MS-CHAPv2 and EAP-MSCHAPv2 clients:
/// builds the 49-byte Response value and checks the server's "S=" value (RFC 2759 8.8) before deriving the HLAK.
/// </summary>
internal sealed class MsChapV2PeerState
{
    private readonly byte[] _passwordHash = new byte[MsChapV2Crypto.PasswordHashLength];
    private readonly byte[] _authenticatorChallenge = new byte[MsChapV2Crypto.ChallengeLength];
    private readonly byte[] _peerChallenge = new byte[MsChapV2Crypto.ChallengeLength];
    private readonly byte[] _ntResponse = new byte[MsChapV2Crypto.NtResponseLength];
    private readonly byte[] _userName;
    private readonly byte[] _hashUserName;

    public MsChapV2PeerState(ClientAuthenticatorContext context)
    {
        MsChapV2Crypto.NtPasswordHash(context.Password, _passwordHash);
        _userName = AuthText.EncodeName(context.UserName);
        _hashUserName = AuthText.StripDomain(_userName).ToArray();
        Random = context.Random;
    }

    private RandomBytes Random { get; }

    /// <summary>The name sent in the Response: as typed, with any DOMAIN\ prefix.</summary>
    public ReadOnlySpan<byte> UserName => _userName;

    /// <summary>
    /// RFC 2759 4: Peer-Challenge(16) | Reserved(8, zero) | NT-Response(24) | Flags(1, zero) for the
    /// <paramref name="authenticatorChallenge"/> (16 bytes). False for any other challenge length.
    /// </summary>
    public bool TryBuildResponseValue(ReadOnlySpan<byte> authenticatorChallenge, Span<byte> value)
    {
        if (authenticatorChallenge.Length != MsChapV2Crypto.ChallengeLength)
        {
            return false;
        }

        authenticatorChallenge.CopyTo(_authenticatorChallenge);
        Random(_peerChallenge);
        MsChapV2Crypto.GenerateNtResponse(_authenticatorChallenge, _peerChallenge, _hashUserName, _passwordHash, _ntResponse);
        value[..MsChapV2Verifier.ResponseValueLength].Clear();
        _peerChallenge.CopyTo(value);
        _ntResponse.CopyTo(value[24..]);
        return true;
    }

    /// <summary>
    /// Checks the "S=&lt;40 hex&gt;" at the start of a Success message (RFC 2759 5) and, if right, fills
    /// <paramref name="hlak"/> with the client's MasterSendKey | MasterReceiveKey (RFC 3079 3.4).
    /// </summary>
    public bool TryAcceptSuccess(ReadOnlySpan<byte> message, Span<byte> hlak)
    {
        if (message.Length < MsChapV2Crypto.AuthenticatorResponseTextLength)
        {
            return false;
        }

        Span<char> text = stackalloc char[MsChapV2Crypto.AuthenticatorResponseTextLength];
        Encoding.ASCII.GetChars(message[..MsChapV2Crypto.AuthenticatorResponseTextLength], text);
        if (!MsChapV2Crypto.CheckAuthenticatorResponse(_passwordHash, _ntResponse, _peerChallenge, _authenticatorChallenge, _hashUserName, text))
        {
            return false;
        }

        Span<byte> passwordHashHash = stackalloc byte[MsChapV2Crypto.PasswordHashLength];
        Span<byte> masterKey = stackalloc byte[MsChapV2Crypto.MasterKeyLength];
        MsChapV2Crypto.HashNtPasswordHash(_passwordHash, passwordHashHash);
        MsChapV2Crypto.GetMasterKey(passwordHashHash, _ntResponse, masterKey);
        MsChapV2Crypto.GetAsymmetricStartKey(masterKey, hlak[..16], isSend: true, isServer: false);
        MsChapV2Crypto.GetAsymmetricStartKey(masterKey, hlak.Slice(16, 16), isSend: false, isServer: false);
        CryptographicOperations.ZeroMemory(passwordHashHash);
        CryptographicOperations.ZeroMemory(masterKey);
        return true;
    }
}
