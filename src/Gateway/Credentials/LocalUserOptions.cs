namespace Gateway.Credentials;

/// <summary>One user of <see cref="LocalCredentialStoreOptions.Users"/>.</summary>
public sealed class LocalUserOptions
{
    /// <summary>User name, matched case-insensitively and without any <c>DOMAIN\</c> prefix.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>NT hash as 32 hex digits (<see cref="NtHash.ToHex"/>). May be omitted when <see cref="Password"/> is set.</summary>
    public string? NtHash { get; set; }

    /// <summary>Clear-text password, only for users who must log in with CHAP-MD5 (RFC 1994 needs the secret).</summary>
    public string? Password { get; set; }

    public bool Disabled { get; set; }
}
