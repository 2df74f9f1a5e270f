using Gateway.Credentials;
using Microsoft.Extensions.Logging;

namespace Gateway.Ppp.Auth;

/// <summary>What every server authenticator needs, built once by <see cref="ServerAuthenticatorFactory"/>.</summary>
internal sealed record ServerAuthenticatorContext(
    ICredentialStore Credentials,
    PppAuthOptions Options,
    byte[] ServerName,
    RandomBytes Random,
    ILogger Logger);
