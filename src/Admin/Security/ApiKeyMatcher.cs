using System.Security.Cryptography;
using System.Text;

namespace Admin.Security;

/// <summary>
/// Constant-time API key comparison. Both sides are hashed first so the comparison length never depends on the
/// presented key, then every configured key is compared with <see cref="CryptographicOperations.FixedTimeEquals"/>
/// without an early exit, so timing reveals neither a prefix match nor which key matched.
/// </summary>
internal static class ApiKeyMatcher
{
    /// <summary>Index of the configured key equal to <paramref name="presented"/>, or -1.</summary>
    public static int Match(string presented, IReadOnlyList<string> configured)
    {
        Span<byte> presentedHash = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> configuredHash = stackalloc byte[SHA256.HashSizeInBytes];
        HashUtf8(presented, presentedHash);

        int match = -1;
        for (int i = 0; i < configured.Count; i++)
        {
            string key = configured[i];
            if (key.Length < AdminApiOptions.MinimumApiKeyLength)
            {
                // Rejected by options validation too; never let an empty or short key authenticate.
                continue;
            }

            HashUtf8(key, configuredHash);
            bool equal = CryptographicOperations.FixedTimeEquals(presentedHash, configuredHash);
            match = equal && match < 0 ? i : match;
        }

        return match;
    }

    private static void HashUtf8(string value, Span<byte> hash)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        SHA256.HashData(utf8, hash);
        CryptographicOperations.ZeroMemory(utf8);
    }
}
