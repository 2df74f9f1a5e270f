using System.Security.Cryptography;
using Gateway.Credentials;
using Microsoft.Extensions.Logging;

namespace Gateway.Ppp.Auth;

/// <summary>
/// State shared by the server authenticators: status, HLAK, the restart timer for the outstanding request
/// (RFC 1994 4.1, RFC 3748 4.3: the authenticator retransmits) and the overall deadline.
/// </summary>
internal abstract class ServerAuthenticatorBase : IServerAuthenticator
{
    private readonly byte[] _hlak = new byte[MsChapV2Crypto.HlakLength];
    private byte[]? _outstanding;
    private int _transmits;
    private long _retransmitAtMs = long.MaxValue;
    private long _giveUpAtMs = long.MaxValue;

    protected ServerAuthenticatorBase(ServerAuthenticatorContext context)
    {
        Context = context;
    }

    protected ServerAuthenticatorContext Context { get; }

    protected ICredentialStore Credentials => Context.Credentials;

    protected ILogger Logger => Context.Logger;

    public abstract ushort Protocol { get; }

    protected abstract AuthMethod Method { get; }

    public AuthStatus Status { get; private set; }

    public string? UserName { get; protected set; }

    public string? FailureReason { get; private set; }

    public ReadOnlySpan<byte> Hlak => _hlak;

    public long NextDeadlineMs => Status == AuthStatus.Pending ? Math.Min(_retransmitAtMs, _giveUpAtMs) : long.MaxValue;

    public void Start(IAuthOutput output, long nowMs)
    {
        _giveUpAtMs = nowMs + Context.Options.TimeoutMs;
        OnStart(output, nowMs);
    }

    public abstract AuthStatus Receive(ReadOnlySpan<byte> packet, IAuthOutput output, long nowMs);

    public AuthStatus OnTimer(long nowMs, IAuthOutput output)
    {
        if (Status != AuthStatus.Pending)
        {
            return Status;
        }

        if (nowMs >= _giveUpAtMs)
        {
            GiveUp(output, $"no answer from the peer within {Context.Options.TimeoutMs} ms");
            return Status;
        }

        if (_outstanding is not null && nowMs >= _retransmitAtMs)
        {
            if (_transmits >= Context.Options.MaxTransmits)
            {
                GiveUp(output, $"no answer from the peer after {_transmits} transmissions");
                return Status;
            }

            _transmits++;
            _retransmitAtMs = nowMs + Context.Options.RestartTimerMs;
            AuthLog.Retransmit(Logger, Method, _transmits);
            output.Send(Protocol, _outstanding);
        }

        return Status;
    }

    protected abstract void OnStart(IAuthOutput output, long nowMs);

    /// <summary>The peer stopped answering; EAP overrides it to end with an EAP Failure and a precise reason.</summary>
    protected virtual void GiveUp(IAuthOutput output, string reason) => Fail(reason);

    /// <summary>Sends a request that waits for an answer and arms the restart timer.</summary>
    protected void SendRequest(IAuthOutput output, byte[] packet, long nowMs)
    {
        _outstanding = packet;
        _transmits = 1;
        _retransmitAtMs = nowMs + Context.Options.RestartTimerMs;
        output.Send(Protocol, packet);
    }

    /// <summary>Sends a packet that needs no answer and stops the restart timer.</summary>
    protected void SendFinal(IAuthOutput output, byte[] packet)
    {
        StopRetransmission();
        output.Send(Protocol, packet);
    }

    protected void StopRetransmission()
    {
        _outstanding = null;
        _retransmitAtMs = long.MaxValue;
    }

    protected void Succeed(ReadOnlySpan<byte> hlak)
    {
        StopRetransmission();
        hlak.CopyTo(_hlak);
        Status = AuthStatus.Succeeded;
        AuthLog.Succeeded(Logger, Method, UserName ?? string.Empty);
    }

    protected void Fail(string reason)
    {
        StopRetransmission();
        FailureReason = reason;
        Status = AuthStatus.Failed;
        AuthLog.Failed(Logger, Method, UserName, reason);
    }

    protected void Discard(string reason) => AuthLog.Discarded(Logger, Method, reason);

    protected byte NewIdentifier()
    {
        Span<byte> id = stackalloc byte[1];
        Context.Random(id);
        return id[0];
    }

    protected void NewChallenge(Span<byte> challenge) => Context.Random(challenge);

    /// <summary>Constant-time comparison that is false (not an exception) for a malformed stored hash.</summary>
    protected static bool HashEquals(ReadOnlySpan<byte> stored, ReadOnlySpan<byte> computed) =>
        stored.Length == computed.Length && CryptographicOperations.FixedTimeEquals(stored, computed);
}
