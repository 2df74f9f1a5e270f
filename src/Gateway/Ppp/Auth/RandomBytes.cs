namespace Gateway.Ppp.Auth;

/// <summary>
/// Fills <paramref name="destination"/> with random bytes (challenges, identifiers). Production uses
/// <see cref="System.Security.Cryptography.RandomNumberGenerator.Fill"/>; tests pass a deterministic source.
/// </summary>
public delegate void RandomBytes(Span<byte> destination);
