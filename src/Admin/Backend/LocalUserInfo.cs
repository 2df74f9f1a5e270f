namespace Admin.Backend;

/// <summary>A user of the local credential store. Secrets are never part of it.</summary>
/// <param name="Name">User name as stored.</param>
/// <param name="ChapMd5">True when the clear-text password is kept so CHAP-MD5 (RFC 1994) works.</param>
/// <param name="Disabled">True when logins are refused.</param>
public sealed record LocalUserInfo(string Name, bool ChapMd5, bool Disabled);
