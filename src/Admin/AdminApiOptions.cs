namespace Admin;

/// <summary>Admin API settings, bound from the <c>Admin</c> configuration section.</summary>
public sealed class AdminApiOptions
{
    public const string SectionName = "Admin";

    /// <summary>
    /// Accepted bearer API keys (<c>Admin:ApiKeys:0</c>, <c>Admin:ApiKeys:1</c>, ...), each at least
    /// <see cref="MinimumApiKeyLength"/> characters. Empty: every request is refused with 401.
    /// </summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>
    /// When true, a request must also come over a TLS connection that presented a client certificate
    /// (Kestrel validates it during the handshake; this only checks that one was presented and accepted).
    /// </summary>
    public bool RequireClientCertificate { get; set; }

    /// <summary>
    /// Local ports of the management listener(s). The admin API and Swagger only match requests whose connection
    /// arrived on one of these ports; on any other port (443) they do not exist (routing falls through, 404).
    /// Empty and no predicate given to <c>MapAdminApi</c>: the admin API is served nowhere (fail closed).
    /// </summary>
    public List<int> ManagementPorts { get; set; } = [];

    /// <summary>Shortest accepted API key: 16 characters keeps guessing out of reach even for short random keys.</summary>
    public const int MinimumApiKeyLength = 16;
}
