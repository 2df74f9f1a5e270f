namespace Gateway.Credentials;

/// <summary>Raised after a change to a <see cref="LocalCredentialStore"/>, outside its lock (so handlers may persist).</summary>
public sealed class CredentialStoreChangedEventArgs(CredentialChangeKind kind, string? userName) : EventArgs
{
    public CredentialChangeKind Kind { get; } = kind;

    /// <summary>The user concerned; null for <see cref="CredentialChangeKind.Reloaded"/>.</summary>
    public string? UserName { get; } = userName;
}
