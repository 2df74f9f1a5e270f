namespace Gateway.Ppp.Auth;

/// <summary>What every client authenticator needs, built by <see cref="ClientAuthenticatorFactory"/>.</summary>
internal sealed record ClientAuthenticatorContext(
    string UserName,
    string Password,
    RandomBytes Random,
    int RestartTimerMs,
    int MaxTransmits,
    int TimeoutMs);
