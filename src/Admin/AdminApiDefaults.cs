namespace Admin;

/// <summary>Names the admin API registers, for a host that wants to refer to them.</summary>
public static class AdminApiDefaults
{
    /// <summary>Authentication scheme of the bearer API key handler.</summary>
    public const string AuthenticationScheme = "AdminApiKey";

    /// <summary>Authorization policy required on every /api/v1 endpoint.</summary>
    public const string AuthorizationPolicy = "AdminApi";

    /// <summary>Realm sent in <c>WWW-Authenticate</c>.</summary>
    public const string Realm = "sstp-gateway-admin";

    /// <summary>Route prefix of the API endpoints.</summary>
    public const string ApiPrefix = "/api/v1";

    /// <summary>OpenAPI document name (served at /swagger/v1/swagger.json).</summary>
    public const string DocumentName = "v1";
}
