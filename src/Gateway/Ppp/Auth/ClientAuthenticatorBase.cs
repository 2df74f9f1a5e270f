namespace Gateway.Ppp.Auth;

/// <summary>
/// State shared by the client authenticators: status, HLAK, failure reason, an overall deadline and
/// (for PAP, where the peer drives, RFC 1334 2.2.1) the restart timer.
/// </summary>
internal abstract class ClientAuthenticatorBase : IClientAuthenticator
{
    private readonly byte[] _hlak = new byte[MsChapV2Crypto.HlakLength];
    private long _giveUpAtMs = long.MaxValue;
    private long _retransmitAtMs = long.MaxValue;
    private int _transmits;

    protected ClientAuthenticatorBase(ClientAuthenticatorContext context)
    {
        Context = context;
    }

    protected ClientAuthenticatorContext Context { get; }

    public abstract ushort Protocol { get; }

    public AuthStatus Status { get; private set; }

    public ReadOnlySpan<byte> Hlak => _hlak;

    public string? FailureReason { get; private set; }

    public long NextDeadlineMs => Status == AuthStatus.Pending ? Math.Min(_giveUpAtMs, _retransmitAtMs) : long.MaxValue;

    public void Start(IAuthOutput output, long nowMs)
    {
        _giveUpAtMs = nowMs + Context.TimeoutMs;
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
            Fail($"the server did not finish authentication within {Context.TimeoutMs} ms");
        }
        else if (nowMs >= _retransmitAtMs)
        {
            if (_transmits >= Context.MaxTransmits)
            {
                Fail($"no answer from the server after {_transmits} transmissions");
            }
            else
            {
                _transmits++;
                _retransmitAtMs = nowMs + Context.RestartTimerMs;
                Retransmit(output);
            }
        }

        return Status;
    }

    protected virtual void OnStart(IAuthOutput output, long nowMs)
    {
    }

    protected virtual void Retransmit(IAuthOutput output)
    {
    }

    protected void ArmRestartTimer(long nowMs)
    {
        _transmits = 1;
        _retransmitAtMs = nowMs + Context.RestartTimerMs;
    }

    protected void Succeed(ReadOnlySpan<byte> hlak)
    {
        _retransmitAtMs = long.MaxValue;
        hlak.CopyTo(_hlak);
        Status = AuthStatus.Succeeded;
    }

    protected void Fail(string reason)
    {
        _retransmitAtMs = long.MaxValue;
        FailureReason = reason;
        Status = AuthStatus.Failed;
    }
}
