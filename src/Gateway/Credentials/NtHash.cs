using Gateway.Ppp.Auth;

namespace Gateway.Credentials;

/// <summary>
/// The NT password hash (MD4 of the UTF-16LE password, RFC 2759 8.3) and its stored form: 32 hex digits.
/// Backs <c>sstp-gateway user add</c>, the admin API and the users file.
/// </summary>
public static class NtHash
{
    /// <summary>16 bytes (RFC 2759 8.3).</summary>
    public const int Length = MsChapV2Crypto.PasswordHashLength;

    /// <summary>MD4(UTF-16LE(<paramref name="password"/>)).</summary>
    public static byte[] FromPassword(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var hash = new byte[Length];
        MsChapV2Crypto.NtPasswordHash(password, hash);
        return hash;
    }

    /// <summary>The stored form: 32 uppercase hex digits.</summary>
    public static string ToHex(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != Length)
        {
            throw new ArgumentException($"An NT hash is {Length} bytes, got {hash.Length}.", nameof(hash));
        }

        return Convert.ToHexString(hash);
    }

    /// <summary>Parses 32 hex digits (either case). False for anything else.</summary>
    public static bool TryParseHex(string? text, out byte[] hash)
    {
        hash = [];
        if (text is null || text.Length != Length * 2)
        {
            return false;
        }

        var bytes = new byte[Length];
        if (Convert.FromHexString(text, bytes, out _, out int written) != System.Buffers.OperationStatus.Done || written != Length)
        {
            return false;
        }

        hash = bytes;
        return true;
    }

    /// <summary>Parses 32 hex digits; <see cref="FormatException"/> with a clear message otherwise.</summary>
    public static byte[] ParseHex(string text) =>
        TryParseHex(text, out byte[] hash)
            ? hash
            : throw new FormatException($"An NT hash must be exactly {Length * 2} hex digits (MD4 of the UTF-16LE password).");
}
