namespace Gateway.Ppp.Auth;

/// <summary>
/// The peer (client) side of one PPP authentication method, used by the project's own SSTP client and by tests.
/// Pure like <see cref="IServerAuthenticator"/>.
/// </summary>
public interface IClientAuthenticator
{
    ushort Protocol { get; }

    /// <summary>Starts the exchange (PAP sends its Authenticate-Request here; CHAP and EAP wait for the server).</summary>
    void Start(IAuthOutput output, long nowMs);

    AuthStatus Receive(ReadOnlySpan<byte> packet, IAuthOutput output, long nowMs);

    AuthStatus OnTimer(long nowMs, IAuthOutput output);

    long NextDeadlineMs { get; }

    AuthStatus Status { get; }

    /// <summary>The same 32-byte HLAK the server derives (MS-SSTP 3.2.5.2), known after success.</summary>
    ReadOnlySpan<byte> Hlak { get; }

    /// <summary>For a failure: the server's message (for MS-CHAPv2 the E= code and M= text).</summary>
    string? FailureReason { get; }
}
