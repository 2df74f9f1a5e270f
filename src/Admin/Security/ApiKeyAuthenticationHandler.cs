using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Admin.Security;

/// <summary>
/// Authenticates admin requests by bearer API key (<see cref="AdminApiOptions.ApiKeys"/>) and, when
/// <see cref="AdminApiOptions.RequireClientCertificate"/> is set, by the TLS client certificate of the connection.
/// The principal is named <c>api-key-&lt;index&gt;</c> so audit logs say which key acted without logging the key.
/// Challenges answer 401 with <c>WWW-Authenticate: Bearer</c> (RFC 6750 3) and a problem details body.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptionsMonitor<AdminApiOptions> adminOptions,
    IProblemDetailsService problemDetails)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    private const string InvalidKeyMessage = "The API key is not valid.";
    private const string CertificateMessage = "A client certificate is required on the management listener.";

    private readonly ILogger _log = loggerFactory.CreateLogger(AdminLog.Category);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var authorization = Request.Headers.Authorization;
        if (authorization.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (authorization.Count > 1 || !BearerHeader.TryGetToken(authorization[0], out string key))
        {
            AdminLog.AuthenticationFailed(_log, "malformed Authorization header", Context.Connection.RemoteIpAddress);
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <api key>'.");
        }

        AdminApiOptions options = adminOptions.CurrentValue;
        int keyIndex = ApiKeyMatcher.Match(key, options.ApiKeys);
        if (keyIndex < 0)
        {
            AdminLog.AuthenticationFailed(_log, "unknown API key", Context.Connection.RemoteIpAddress);
            return AuthenticateResult.Fail(InvalidKeyMessage);
        }

        if (options.RequireClientCertificate)
        {
            var certificate = await Context.Connection.GetClientCertificateAsync(Context.RequestAborted).ConfigureAwait(false);
            if (certificate is null)
            {
                AdminLog.AuthenticationFailed(_log, "no client certificate", Context.Connection.RemoteIpAddress);
                return AuthenticateResult.Fail(CertificateMessage);
            }
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "api-key-" + keyIndex.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        AuthenticateResult result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        string? failure = result.Failure?.Message;

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = failure is null
            ? $"Bearer realm=\"{AdminApiDefaults.Realm}\""
            : $"Bearer realm=\"{AdminApiDefaults.Realm}\", error=\"invalid_token\"";

        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = failure ?? "Send 'Authorization: Bearer <api key>'.",
            },
        }).ConfigureAwait(false);
    }
}
