namespace Gateway.Credentials;

/// <summary>What changed in a <see cref="LocalCredentialStore"/>.</summary>
public enum CredentialChangeKind
{
    Added,
    Updated,
    Removed,
    /// <summary>All users were replaced (<see cref="LocalCredentialStore.ReplaceAll"/>); UserName is null.</summary>
    Reloaded,
}
