using System.Security.Cryptography;

namespace Gateway.Ppp.Auth;

/// <summary>
/// Creates client (peer) authenticators for one user, for the project's SSTP client and for tests.
/// </summary>
public sealed class ClientAuthenticatorFactory
{
    private readonly string _userName;
    private readonly string _password;
    private readonly RandomBytes _random;

    /// <param name="userName">Sent as typed (may be <c>DOMAIN\user</c>; the prefix is stripped for MS-CHAPv2 hashing).</param>
    /// <param name="password">Clear-text password.</param>
    /// <param name="random">Optional random source (peer challenges, identifiers); defaults to the system CSPRNG.</param>
    public ClientAuthenticatorFactory(string userName, string password, RandomBytes? random = null)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        _userName = userName;
        _password = password;
        _random = random ?? RandomNumberGenerator.Fill;
    }

    /// <summary>PAP Authenticate-Request restart timer (RFC 1661 4.6 default 3 s).</summary>
    public int RestartTimerMs { get; init; } = 3000;

    /// <summary>PAP Authenticate-Request transmissions before giving up.</summary>
    public int MaxTransmits { get; init; } = 10;

    /// <summary>Overall limit for the exchange, after which the client fails.</summary>
    public int TimeoutMs { get; init; } = 30000;

    /// <summary>The authenticator for <paramref name="method"/>, or null for a method this client does not know.</summary>
    public IClientAuthenticator? Create(AuthMethod method)
    {
        var context = new ClientAuthenticatorContext(_userName, _password, _random, RestartTimerMs, MaxTransmits, TimeoutMs);
        return method switch
        {
            AuthMethod.Pap => new PapClientAuthenticator(context),
            AuthMethod.ChapMd5 => new ChapMd5ClientAuthenticator(context),
            AuthMethod.MsChapV2 => new MsChapV2ClientAuthenticator(context),
            AuthMethod.EapMsChapV2 => new EapMsChapV2ClientAuthenticator(context),
            _ => null,
        };
    }
}
