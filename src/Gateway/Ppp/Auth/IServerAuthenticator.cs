namespace Gateway.Ppp.Auth;

/// <summary>
/// The authenticator (server) side of one PPP authentication method. Pure: no I/O; time in milliseconds.
/// Created by the PPP engine for the method LCP agreed on, started when LCP is Opened.
/// </summary>
public interface IServerAuthenticator
{
    /// <summary>PPP protocol number of this method: 0xC023 PAP, 0xC223 CHAP (MD5 or MS-CHAPv2), 0xC227 EAP.</summary>
    ushort Protocol { get; }

    /// <summary>Starts the exchange: CHAP and EAP send their first request here; PAP waits for the peer.</summary>
    void Start(IAuthOutput output, long nowMs);

    /// <summary>Handles one packet of <see cref="Protocol"/> (starting at the Code byte).</summary>
    AuthStatus Receive(ReadOnlySpan<byte> packet, IAuthOutput output, long nowMs);

    /// <summary>Retransmits or gives up (RFC 1994 4.1 restart timer). Returns the status after the timer ran.</summary>
    AuthStatus OnTimer(long nowMs, IAuthOutput output);

    /// <summary>Next time <see cref="OnTimer"/> must run, or <see cref="long.MaxValue"/>.</summary>
    long NextDeadlineMs { get; }

    AuthStatus Status { get; }

    /// <summary>The authenticated (or attempted) user name as the peer sent it; null before the peer answered.</summary>
    string? UserName { get; }

    /// <summary>
    /// Higher-Layer Authentication Key for SSTP crypto binding (MS-SSTP 3.2.5.2): 32 bytes after success.
    /// MS-CHAPv2 and EAP-MSCHAPv2: MasterReceiveKey | MasterSendKey (server view). PAP and CHAP-MD5: 32 zero bytes.
    /// </summary>
    ReadOnlySpan<byte> Hlak { get; }

    /// <summary>Why authentication failed, for the log (never contains a password).</summary>
    string? FailureReason { get; }
}
