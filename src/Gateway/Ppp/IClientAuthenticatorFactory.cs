using Gateway.Ppp.Auth;

namespace Gateway.Ppp;

/// <summary>The authentication methods a <see cref="PppClient"/> can speak, and how to make one.</summary>
public interface IClientAuthenticatorFactory
{
    /// <summary>Supported methods, most preferred first (the first one is suggested in a Nak).</summary>
    IReadOnlyList<AuthMethod> Methods { get; }

    IClientAuthenticator Create(AuthMethod method);
}
