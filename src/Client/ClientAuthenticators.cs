using Gateway.Ppp;
using Gateway.Ppp.Auth;

namespace Client;

/// <summary>The methods this client speaks (from its settings) and their authenticators, for <see cref="PppClient"/>.</summary>
internal sealed class ClientAuthenticators(SstpClientSettings settings) : IClientAuthenticatorFactory
{
    private readonly ClientAuthenticatorFactory _factory = new(settings.User, settings.Password);

    public IReadOnlyList<AuthMethod> Methods => settings.AuthMethods;

    public IClientAuthenticator Create(AuthMethod method) =>
        _factory.Create(method) ?? throw new ArgumentOutOfRangeException(nameof(method), method, "unsupported method");
}
