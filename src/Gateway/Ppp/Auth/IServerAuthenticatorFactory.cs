namespace Gateway.Ppp.Auth;

/// <summary>Creates the authenticator for the method LCP agreed on; one instance per session and attempt.</summary>
public interface IServerAuthenticatorFactory
{
    IServerAuthenticator Create(AuthMethod method);
}
