namespace Gateway.Credentials;

/// <summary>Users of the <see cref="LocalCredentialStore"/> (configuration section <see cref="SectionName"/>).</summary>
public sealed class LocalCredentialStoreOptions
{
    public const string SectionName = "Credentials";

    /// <summary>Users given in configuration.</summary>
    public List<LocalUserOptions> Users { get; set; } = [];

    /// <summary>
    /// Optional users file (<see cref="UsersFile"/> format). Loaded at start when it exists; its entries win over
    /// <see cref="Users"/> with the same name. Saving on change is wired by the host.
    /// </summary>
    public string? UsersFile { get; set; }
}
