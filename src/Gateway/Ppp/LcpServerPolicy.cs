using Gateway.Ppp.Auth;

namespace Gateway.Ppp;

/// <summary>
/// LCP policy of the gateway: asks the client to authenticate with the most preferred configured method
/// (RFC 1661 6.2), follows a Nak towards another allowed method, and refuses to authenticate itself.
/// </summary>
internal sealed class LcpServerPolicy : LcpPolicy
{
    private readonly IReadOnlyList<AuthMethod> _methods;
    private int _current;
    private int _triedMask;

    public LcpServerPolicy(IReadOnlyList<AuthMethod> methods, int mru, Random random)
        : base(mru, random)
    {
        if (methods.Count == 0)
        {
            throw new ArgumentException("At least one authentication method is required.", nameof(methods));
        }

        _methods = methods;
        Reset();
    }

    /// <summary>The method in our request; after LCP is Opened, the agreed one.</summary>
    public AuthMethod CurrentMethod => _methods[_current];

    /// <summary>The method the client acknowledged, or null before that.</summary>
    public AuthMethod? NegotiatedMethod { get; private set; }

    public override void Reset()
    {
        base.Reset();
        if (_methods is null)
        {
            return;
        }

        _current = 0;
        _triedMask = 1;
        NegotiatedMethod = null;
    }

    protected override void AddAuthenticationOption(CpOptionBuffer options) => AuthProtocolOption.Add(options, CurrentMethod);

    protected override void JudgeAuthenticationOption(in CpOption option, CpResponseBuilder response) =>
        // The gateway never authenticates itself to the client (sstp-protocol.md 7.2).
        response.Reject(option);

    protected override void OnPeerAuthenticationAcked(AuthMethod? method)
    {
    }

    protected override void OnOwnRequestAcked() => NegotiatedMethod = CurrentMethod;

    protected override NegotiationReaction OnAuthenticationNak(ReadOnlySpan<byte> value)
    {
        // RFC 1661 6.2: the Nak names the protocol the peer would rather use. Take it when policy allows it.
        if (AuthProtocolOption.TryDecode(value, out AuthMethod suggested))
        {
            int index = IndexOf(suggested);
            if (index >= 0 && (_triedMask & (1 << index)) == 0)
            {
                Select(index);
                return NegotiationReaction.Continue;
            }
        }

        // Otherwise offer our next preference that has not been refused yet.
        for (int i = 0; i < _methods.Count; i++)
        {
            if ((_triedMask & (1 << i)) == 0)
            {
                Select(i);
                return NegotiationReaction.Continue;
            }
        }

        return NegotiationReaction.Fail;
    }

    protected override NegotiationReaction OnAuthenticationRejected() => NegotiationReaction.Fail;

    private void Select(int index)
    {
        _current = index;
        _triedMask |= 1 << index;
    }

    private int IndexOf(AuthMethod method)
    {
        for (int i = 0; i < _methods.Count; i++)
        {
            if (_methods[i] == method)
            {
                return i;
            }
        }

        return -1;
    }
}
