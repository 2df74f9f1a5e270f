using System.Security.Cryptography;

namespace Gateway.Sstp;

/// <summary>
/// Crypto binding arithmetic ([MS-SSTP] 3.2.5.2, 3.3.5.2.3), used by both sides:
/// CMK = T1 of the IKEv2-style PRF+ keyed with the HLAK, seed "SSTP inner method derived CMK", a 16-bit
/// little-endian output length and the counter 0x01; Compound MAC = HMAC(CMK, CALL_CONNECTED with bytes 80..111
/// zeroed). SHA-1 mode gives 20-byte values, SHA-256 mode 32-byte values; the wire fields are 32 bytes, zero-padded.
/// </summary>
public static class SstpCompoundMac
{
    /// <summary>3.2.5.2.2: the PRF seed, 29 ASCII bytes, no terminator.</summary>
    public static ReadOnlySpan<byte> CmkSeed => "SSTP inner method derived CMK"u8;

    /// <summary>Length of the hash / MAC for a single hash protocol: 20 for SHA-1, 32 for SHA-256.</summary>
    public static int HashLength(SstpHashProtocol protocol) => protocol switch
    {
        SstpHashProtocol.Sha1 => SHA1.HashSizeInBytes,
        SstpHashProtocol.Sha256 => SHA256.HashSizeInBytes,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Exactly one of SHA-1 or SHA-256."),
    };

    /// <summary>
    /// Derives the CMK into <paramref name="cmk"/> (at least <see cref="HashLength"/> bytes); returns its length.
    /// </summary>
    public static int DeriveCmk(SstpHashProtocol protocol, ReadOnlySpan<byte> hlak, Span<byte> cmk)
    {
        int length = HashLength(protocol);
        Span<byte> input = stackalloc byte[29 + 3];
        CmkSeed.CopyTo(input);
        input[29] = (byte)length; // LEN, 16-bit little-endian (3.2.5.2.2)
        input[30] = 0;
        input[31] = 0x01; // T1: only the first PRF+ block is needed since LEN <= hash length
        return protocol == SstpHashProtocol.Sha1
            ? HMACSHA1.HashData(hlak, input, cmk)
            : HMACSHA256.HashData(hlak, input, cmk);
    }

    /// <summary>
    /// Computes the Compound MAC of a 112-byte CALL_CONNECTED into the 32-byte <paramref name="macField"/>
    /// (zero-padded for SHA-1). The MAC field of <paramref name="callConnected"/> may hold anything; it is zeroed
    /// in a copy before hashing.
    /// </summary>
    public static void Compute(SstpHashProtocol protocol, ReadOnlySpan<byte> hlak, ReadOnlySpan<byte> callConnected, Span<byte> macField)
    {
        if (callConnected.Length != SstpConstants.CallConnectedLength)
        {
            throw new ArgumentException("CALL_CONNECTED is 112 bytes (MS-SSTP 2.2.12).", nameof(callConnected));
        }

        if (hlak.Length != SstpConstants.HlakLength)
        {
            throw new ArgumentException("The HLAK is 32 bytes (MS-SSTP 3.2.5.2.4).", nameof(hlak));
        }

        Span<byte> message = stackalloc byte[SstpConstants.CallConnectedLength];
        callConnected.CopyTo(message);
        message[SstpConstants.CallConnectedMacOffset..].Clear();

        Span<byte> cmk = stackalloc byte[SstpConstants.HashFieldLength];
        int cmkLength = DeriveCmk(protocol, hlak, cmk);
        macField[..SstpConstants.HashFieldLength].Clear();
        if (protocol == SstpHashProtocol.Sha1)
        {
            HMACSHA1.HashData(cmk[..cmkLength], message, macField);
        }
        else
        {
            HMACSHA256.HashData(cmk[..cmkLength], message, macField);
        }

        CryptographicOperations.ZeroMemory(cmk);
    }

    /// <summary>
    /// Checks the Compound MAC carried in bytes 80..111 of <paramref name="callConnected"/> in constant time.
    /// Only the hash-length prefix is compared (the SHA-1 padding is not part of the MAC).
    /// </summary>
    public static bool Verify(SstpHashProtocol protocol, ReadOnlySpan<byte> hlak, ReadOnlySpan<byte> callConnected)
    {
        Span<byte> expected = stackalloc byte[SstpConstants.HashFieldLength];
        Compute(protocol, hlak, callConnected, expected);
        int length = HashLength(protocol);
        return CryptographicOperations.FixedTimeEquals(
            expected[..length],
            callConnected.Slice(SstpConstants.CallConnectedMacOffset, length));
    }

    /// <summary>
    /// Checks a received 32-byte Cert Hash field against the hash of the certificate used on this connection
    /// (3.3.5.2.3): the first 20 (SHA-1) or 32 (SHA-256) bytes are compared in constant time, padding ignored.
    /// </summary>
    public static bool CertHashMatches(SstpHashProtocol protocol, ReadOnlySpan<byte> certHashField, ReadOnlySpan<byte> expectedHash)
    {
        int length = HashLength(protocol);
        if (certHashField.Length < length || expectedHash.Length != length)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(certHashField[..length], expectedHash);
    }

    /// <summary>Constant-time comparison of the 32-byte nonces.</summary>
    public static bool NonceMatches(ReadOnlySpan<byte> received, ReadOnlySpan<byte> expected) =>
        received.Length == SstpConstants.NonceLength
        && expected.Length == SstpConstants.NonceLength
        && CryptographicOperations.FixedTimeEquals(received, expected);
}
