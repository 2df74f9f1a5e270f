using System.Security.Cryptography;
using Gateway.Credentials;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.Ppp.Auth;

/// <summary>
/// Creates the local (credential-store backed) server authenticator for each method. Thread-safe; one
/// authenticator per session and attempt.
/// </summary>
public sealed class ServerAuthenticatorFactory : IServerAuthenticatorFactory
{
    private readonly ServerAuthenticatorContext _context;

    /// <param name="credentials">Where users and their NT hashes (and CHAP-MD5 passwords) come from.</param>
    /// <param name="options">Server name and timers (<see cref="PppAuthOptions.SectionName"/>).</param>
    /// <param name="logger">Optional; success/failure at Information, discarded packets at Debug.</param>
    /// <param name="random">Optional random source for challenges and identifiers; defaults to the system CSPRNG.</param>
    public ServerAuthenticatorFactory(
        ICredentialStore credentials,
        IOptions<PppAuthOptions> options,
        ILogger<ServerAuthenticatorFactory>? logger = null,
        RandomBytes? random = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(options);
        PppAuthOptions value = options.Value;
        if (value.RestartTimerMs <= 0 || value.MaxTransmits <= 0 || value.TimeoutMs <= 0)
        {
            throw new ArgumentException($"{PppAuthOptions.SectionName}: RestartTimerMs, MaxTransmits and TimeoutMs must be positive.", nameof(options));
        }

        _context = new ServerAuthenticatorContext(
            credentials,
            value,
            AuthText.EncodeName(value.ServerName ?? string.Empty),
            random ?? RandomNumberGenerator.Fill,
            (ILogger?)logger ?? NullLogger.Instance);
    }

    public IServerAuthenticator Create(AuthMethod method) => method switch
    {
        AuthMethod.Pap => new PapServerAuthenticator(_context),
        AuthMethod.ChapMd5 => new ChapMd5ServerAuthenticator(_context),
        AuthMethod.MsChapV2 => new MsChapV2ServerAuthenticator(_context),
        AuthMethod.EapMsChapV2 => new EapMsChapV2ServerAuthenticator(_context),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown authentication method."),
    };
}
