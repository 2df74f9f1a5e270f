namespace Gateway.Credentials;

/// <summary>
/// A user's stored secret. <see cref="NtHash"/> (MD4 of the UTF-16LE password, RFC 2759 8.3) serves PAP, MS-CHAPv2
/// and EAP-MSCHAPv2. CHAP-MD5 (RFC 1994) needs the clear-text password, so <see cref="Password"/> is set only for
/// users explicitly configured for CHAP-MD5.
/// </summary>
public sealed record UserCredential(string UserName, byte[] NtHash, string? Password = null, bool Disabled = false);
