namespace Gateway.Ppp.Auth;

/// <summary>State of one authentication exchange (RFC 1661 phase "Authenticate").</summary>
public enum AuthStatus
{
    Pending,
    Succeeded,
    Failed,
}
