namespace Admin.Security;

/// <summary>Parses <c>Authorization: Bearer &lt;token&gt;</c> (RFC 6750 2.1; the scheme name is case-insensitive, RFC 9110 11.1).</summary>
internal static class BearerHeader
{
    private const string Scheme = "Bearer";

    public static bool TryGetToken(string? authorization, out string token)
    {
        token = string.Empty;
        if (authorization is null
            || authorization.Length <= Scheme.Length + 1
            || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || authorization[Scheme.Length] != ' ')
        {
            return false;
        }

        string candidate = authorization[(Scheme.Length + 1)..].Trim(' ');
        if (candidate.Length == 0 || candidate.Contains(' '))
        {
            return false;
        }

        token = candidate;
        return true;
    }
}
