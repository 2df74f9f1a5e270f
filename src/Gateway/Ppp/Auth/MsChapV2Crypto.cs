using System.Security.Cryptography;
using System.Text;

namespace Gateway.Ppp.Auth;

/// <summary>
/// MS-CHAPv2 functions (RFC 2759 section 8) and MPPE master keys (RFC 3079 section 3), span-based.
/// The server only holds the NT hash, so every function takes the password hash, never the password
/// (except <see cref="NtPasswordHash"/>).
/// </summary>
public static class MsChapV2Crypto
{
    /// <summary>Authenticator and Peer challenges are 16 bytes (RFC 2759 4).</summary>
    public const int ChallengeLength = 16;

    /// <summary>ChallengeHash is 8 bytes (RFC 2759 8.2).</summary>
    public const int ChallengeHashLength = 8;

    /// <summary>NT password hash (MD4) is 16 bytes (RFC 2759 8.3).</summary>
    public const int PasswordHashLength = 16;

    /// <summary>NT-Response is 24 bytes (RFC 2759 8.1).</summary>
    public const int NtResponseLength = 24;

    /// <summary>AuthenticatorResponse digest is 20 bytes, sent as "S=" + 40 hex digits (RFC 2759 8.7).</summary>
    public const int AuthenticatorResponseLength = 20;

    /// <summary>"S=" plus 40 hex digits (RFC 2759 8.7).</summary>
    public const int AuthenticatorResponseTextLength = 42;

    /// <summary>RFC 3079 3.3 master key length.</summary>
    public const int MasterKeyLength = 16;

    /// <summary>SSTP Higher-Layer Authentication Key length (MS-SSTP 3.2.5.2).</summary>
    public const int HlakLength = 32;

    /// <summary>RFC 2759 8.7 Magic1.</summary>
    private static ReadOnlySpan<byte> Magic1 => "Magic server to client signing constant"u8;

    /// <summary>RFC 2759 8.7 Magic2.</summary>
    private static ReadOnlySpan<byte> Magic2 => "Pad to make it do more than one iteration"u8;

    /// <summary>RFC 3079 3.4 Magic1 for GetMasterKey.</summary>
    private static ReadOnlySpan<byte> MasterKeyMagic => "This is the MPPE Master Key"u8;

    /// <summary>RFC 3079 3.4 Magic2 (client send key = server receive key).</summary>
    private static ReadOnlySpan<byte> ClientSendMagic =>
        "On the client side, this is the send key; on the server side, it is the receive key."u8;

    /// <summary>RFC 3079 3.4 Magic3 (client receive key = server send key).</summary>
    private static ReadOnlySpan<byte> ClientReceiveMagic =>
        "On the client side, this is the receive key; on the server side, it is the send key."u8;

    /// <summary>
    /// RFC 2759 8.2: first 8 bytes of SHA1(PeerChallenge | AuthenticatorChallenge | UserName).
    /// <paramref name="userName"/> must already be stripped of any <c>DOMAIN\</c> prefix.
    /// </summary>
    public static void ChallengeHash(
        ReadOnlySpan<byte> peerChallenge,
        ReadOnlySpan<byte> authenticatorChallenge,
        ReadOnlySpan<byte> userName,
        Span<byte> challengeHash)
    {
        RequireLength(peerChallenge, ChallengeLength, nameof(peerChallenge));
        RequireLength(authenticatorChallenge, ChallengeLength, nameof(authenticatorChallenge));
        Span<byte> digest = stackalloc byte[20];
        if (userName.Length <= 256)
        {
            Span<byte> input = stackalloc byte[(2 * ChallengeLength) + 256];
            peerChallenge.CopyTo(input);
            authenticatorChallenge.CopyTo(input[ChallengeLength..]);
            userName.CopyTo(input[(2 * ChallengeLength)..]);
            SHA1.HashData(input[..((2 * ChallengeLength) + userName.Length)], digest);
        }
        else
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
            sha.AppendData(peerChallenge);
            sha.AppendData(authenticatorChallenge);
            sha.AppendData(userName);
            sha.GetHashAndReset(digest);
        }

        digest[..ChallengeHashLength].CopyTo(challengeHash);
    }

    /// <summary>RFC 2759 8.3: MD4 of the UTF-16LE ("Unicode") password, the NT hash.</summary>
    public static void NtPasswordHash(ReadOnlySpan<char> password, Span<byte> passwordHash)
    {
        int byteCount = password.Length * 2;
        byte[]? rented = null;
        Span<byte> unicode = byteCount <= 512
            ? stackalloc byte[512]
            : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(byteCount));
        unicode = unicode[..byteCount];
        Encoding.Unicode.GetBytes(password, unicode);
        Md4.HashData(unicode, passwordHash);
        CryptographicOperations.ZeroMemory(unicode);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>RFC 2759 8.4: MD4 of the 16-byte NT hash.</summary>
    public static void HashNtPasswordHash(ReadOnlySpan<byte> passwordHash, Span<byte> passwordHashHash)
    {
        RequireLength(passwordHash, PasswordHashLength, nameof(passwordHash));
        Md4.HashData(passwordHash, passwordHashHash);
    }

    /// <summary>
    /// RFC 2759 8.5: the 16-byte hash zero-padded to 21 bytes, split into three 7-byte DES keys, each
    /// encrypting the 8-byte challenge hash.
    /// </summary>
    public static void ChallengeResponse(ReadOnlySpan<byte> challengeHash, ReadOnlySpan<byte> passwordHash, Span<byte> response)
    {
        RequireLength(challengeHash, ChallengeHashLength, nameof(challengeHash));
        RequireLength(passwordHash, PasswordHashLength, nameof(passwordHash));
        Span<byte> zPasswordHash = stackalloc byte[21];
        zPasswordHash.Clear();
        passwordHash.CopyTo(zPasswordHash);
        MsChapDes.Encrypt(zPasswordHash[..7], challengeHash, response[..8]);
        MsChapDes.Encrypt(zPasswordHash.Slice(7, 7), challengeHash, response.Slice(8, 8));
        MsChapDes.Encrypt(zPasswordHash.Slice(14, 7), challengeHash, response.Slice(16, 8));
        CryptographicOperations.ZeroMemory(zPasswordHash);
    }

    /// <summary>RFC 2759 8.1 GenerateNTResponse, taking the NT hash instead of the password.</summary>
    public static void GenerateNtResponse(
        ReadOnlySpan<byte> authenticatorChallenge,
        ReadOnlySpan<byte> peerChallenge,
        ReadOnlySpan<byte> userName,
        ReadOnlySpan<byte> passwordHash,
        Span<byte> ntResponse)
    {
        Span<byte> challengeHash = stackalloc byte[ChallengeHashLength];
        ChallengeHash(peerChallenge, authenticatorChallenge, userName, challengeHash);
        ChallengeResponse(challengeHash, passwordHash, ntResponse);
    }

    /// <summary>RFC 2759 8.7 GenerateAuthenticatorResponse: the 20-byte digest (format it with <see cref="FormatAuthenticatorResponse"/>).</summary>
    public static void GenerateAuthenticatorResponse(
        ReadOnlySpan<byte> passwordHash,
        ReadOnlySpan<byte> ntResponse,
        ReadOnlySpan<byte> peerChallenge,
        ReadOnlySpan<byte> authenticatorChallenge,
        ReadOnlySpan<byte> userName,
        Span<byte> authenticatorResponse)
    {
        RequireLength(ntResponse, NtResponseLength, nameof(ntResponse));
        Span<byte> passwordHashHash = stackalloc byte[PasswordHashLength];
        HashNtPasswordHash(passwordHash, passwordHashHash);

        // RFC 2759 8.7: Digest = SHA1(PasswordHashHash | NT-Response | Magic1); SHA1(Digest | ChallengeHash | Magic2).
        Span<byte> first = stackalloc byte[PasswordHashLength + NtResponseLength + 39];
        passwordHashHash.CopyTo(first);
        ntResponse.CopyTo(first[PasswordHashLength..]);
        Magic1.CopyTo(first[(PasswordHashLength + NtResponseLength)..]);

        Span<byte> second = stackalloc byte[20 + ChallengeHashLength + 41];
        SHA1.HashData(first, second);
        ChallengeHash(peerChallenge, authenticatorChallenge, userName, second.Slice(20, ChallengeHashLength));
        Magic2.CopyTo(second[(20 + ChallengeHashLength)..]);

        Span<byte> digest = stackalloc byte[20];
        SHA1.HashData(second, digest);
        CryptographicOperations.ZeroMemory(first);
        digest.CopyTo(authenticatorResponse);
        CryptographicOperations.ZeroMemory(passwordHashHash);
    }

    /// <summary>"S=" followed by 40 uppercase hex digits (RFC 2759 8.7).</summary>
    public static string FormatAuthenticatorResponse(ReadOnlySpan<byte> authenticatorResponse)
    {
        RequireLength(authenticatorResponse, AuthenticatorResponseLength, nameof(authenticatorResponse));
        return "S=" + Convert.ToHexString(authenticatorResponse);
    }

    /// <summary>
    /// RFC 2759 8.8 CheckAuthenticatorResponse: compares the received "S=..." text (42 characters; hex in either
    /// case) against the expected value in constant time.
    /// </summary>
    public static bool CheckAuthenticatorResponse(
        ReadOnlySpan<byte> passwordHash,
        ReadOnlySpan<byte> ntResponse,
        ReadOnlySpan<byte> peerChallenge,
        ReadOnlySpan<byte> authenticatorChallenge,
        ReadOnlySpan<byte> userName,
        ReadOnlySpan<char> receivedResponse)
    {
        if (receivedResponse.Length != AuthenticatorResponseTextLength
            || receivedResponse[0] != 'S' || receivedResponse[1] != '=')
        {
            return false;
        }

        Span<byte> received = stackalloc byte[AuthenticatorResponseLength];
        if (Convert.FromHexString(receivedResponse[2..], received, out _, out int written) != System.Buffers.OperationStatus.Done
            || written != AuthenticatorResponseLength)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[AuthenticatorResponseLength];
        GenerateAuthenticatorResponse(passwordHash, ntResponse, peerChallenge, authenticatorChallenge, userName, expected);
        return CryptographicOperations.FixedTimeEquals(expected, received);
    }

    /// <summary>RFC 3079 3.4 GetMasterKey: first 16 bytes of SHA1(PasswordHashHash | NTResponse | Magic1).</summary>
    public static void GetMasterKey(ReadOnlySpan<byte> passwordHashHash, ReadOnlySpan<byte> ntResponse, Span<byte> masterKey)
    {
        RequireLength(passwordHashHash, PasswordHashLength, nameof(passwordHashHash));
        RequireLength(ntResponse, NtResponseLength, nameof(ntResponse));
        Span<byte> input = stackalloc byte[PasswordHashLength + NtResponseLength + 27];
        passwordHashHash.CopyTo(input);
        ntResponse.CopyTo(input[PasswordHashLength..]);
        MasterKeyMagic.CopyTo(input[(PasswordHashLength + NtResponseLength)..]);
        Span<byte> digest = stackalloc byte[20];
        SHA1.HashData(input, digest);
        CryptographicOperations.ZeroMemory(input);
        digest[..MasterKeyLength].CopyTo(masterKey);
        CryptographicOperations.ZeroMemory(digest);
    }

    /// <summary>
    /// RFC 3079 3.4 GetAsymmetricStartKey: SHA1(MasterKey | SHSpad1 | s | SHSpad2) truncated to
    /// <paramref name="sessionKey"/>.Length (8 or 16), with s chosen by direction and side.
    /// </summary>
    public static void GetAsymmetricStartKey(ReadOnlySpan<byte> masterKey, Span<byte> sessionKey, bool isSend, bool isServer)
    {
        RequireLength(masterKey, MasterKeyLength, nameof(masterKey));
        if (sessionKey.Length is not (8 or 16))
        {
            throw new ArgumentException("Session keys are 8 or 16 bytes (RFC 3079 3.4).", nameof(sessionKey));
        }

        ReadOnlySpan<byte> s = isSend == isServer ? ClientReceiveMagic : ClientSendMagic;

        // RFC 3079 3.4: SHA1(MasterKey | SHSpad1 | s | SHSpad2), SHSpad1 = 40 x 0x00, SHSpad2 = 40 x 0xF2.
        Span<byte> input = stackalloc byte[MasterKeyLength + 40 + 84 + 40];
        masterKey.CopyTo(input);
        input.Slice(MasterKeyLength, 40).Clear();
        s.CopyTo(input[(MasterKeyLength + 40)..]);
        input[(MasterKeyLength + 40 + 84)..].Fill(0xF2);
        Span<byte> digest = stackalloc byte[20];
        SHA1.HashData(input, digest);
        CryptographicOperations.ZeroMemory(input);
        digest[..sessionKey.Length].CopyTo(sessionKey);
        CryptographicOperations.ZeroMemory(digest);
    }

    /// <summary>
    /// The 32-byte SSTP HLAK for MS-CHAPv2 and EAP-MSCHAPv2 (MS-SSTP 3.2.5.2, reference 5.4):
    /// server MasterReceiveKey | MasterSendKey, which is the same byte string as the client's
    /// MasterSendKey | MasterReceiveKey.
    /// </summary>
    public static void DeriveHlak(ReadOnlySpan<byte> passwordHash, ReadOnlySpan<byte> ntResponse, Span<byte> hlak)
    {
        if (hlak.Length < HlakLength)
        {
            throw new ArgumentException("The HLAK is 32 bytes.", nameof(hlak));
        }

        Span<byte> passwordHashHash = stackalloc byte[PasswordHashLength];
        Span<byte> masterKey = stackalloc byte[MasterKeyLength];
        HashNtPasswordHash(passwordHash, passwordHashHash);
        GetMasterKey(passwordHashHash, ntResponse, masterKey);
        GetAsymmetricStartKey(masterKey, hlak[..16], isSend: false, isServer: true);
        GetAsymmetricStartKey(masterKey, hlak.Slice(16, 16), isSend: true, isServer: true);
        CryptographicOperations.ZeroMemory(passwordHashHash);
        CryptographicOperations.ZeroMemory(masterKey);
    }

    private static void RequireLength(ReadOnlySpan<byte> value, int length, string name)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"Expected {length} bytes, got {value.Length}.", name);
        }
    }
}
