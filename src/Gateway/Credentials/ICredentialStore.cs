namespace Gateway.Credentials;

/// <summary>Looks up the secret of a user for PPP authentication. Must be fast and thread-safe (called per login).</summary>
public interface ICredentialStore
{
    /// <summary>Finds a user by name (case-insensitive, without any <c>DOMAIN\</c> prefix), or null.</summary>
    UserCredential? Find(string userName);
}
