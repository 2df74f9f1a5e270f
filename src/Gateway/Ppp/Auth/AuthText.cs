using System.Text;

namespace Gateway.Ppp.Auth;

/// <summary>Name and message handling shared by the authenticators.</summary>
internal static class AuthText
{
    /// <summary>Names and messages we send are capped so every packet fits any MRU (RFC 1661 minimum 1500 is far above).</summary>
    public const int MaxNameBytes = 200;

    public const string AccessGranted = "Access granted";
    public const string AuthenticationFailed = "Authentication failed";
    public const string AccountDisabled = "Account disabled";

    /// <summary>Bytes from the wire as text; invalid UTF-8 becomes U+FFFD, never an exception.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>UTF-8 bytes truncated to <see cref="MaxNameBytes"/>.</summary>
    public static byte[] EncodeName(string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        return bytes.Length <= MaxNameBytes ? bytes : bytes[..MaxNameBytes];
    }

    /// <summary>
    /// The user name without any <c>DOMAIN\</c> prefix (RFC 2759 8.2; like pppd, everything after the last backslash).
    /// </summary>
    public static ReadOnlySpan<byte> StripDomain(ReadOnlySpan<byte> name)
    {
        int backslash = name.LastIndexOf((byte)'\\');
        return backslash < 0 ? name : name[(backslash + 1)..];
    }

    /// <summary>Printable form of a peer-supplied name for logs and failure reasons (control characters replaced, capped).</summary>
    public static string ForLog(string name)
    {
        Span<char> buffer = stackalloc char[Math.Min(name.Length, 64)];
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = char.IsControl(name[i]) ? '?' : name[i];
        }

        return name.Length > 64 ? string.Concat(buffer, "...") : buffer.ToString();
    }
}
