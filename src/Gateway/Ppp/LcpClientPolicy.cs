using Gateway.Ppp.Auth;

namespace Gateway.Ppp;

/// <summary>
/// LCP policy of the client: accepts the server's Authentication-Protocol when it can speak it, otherwise Naks
/// with its own preferred method (RFC 1661 6.2), or rejects when it can speak none.
/// </summary>
internal sealed class LcpClientPolicy : LcpPolicy
{
    private readonly IReadOnlyList<AuthMethod> _methods;

    public LcpClientPolicy(IReadOnlyList<AuthMethod> methods, int mru, Random random)
        : base(mru, random)
    {
        _methods = methods;
    }

    /// <summary>The method the server asked for and we acknowledged; null when the server requires none.</summary>
    public AuthMethod? AgreedMethod { get; private set; }

    public override void Reset()
    {
        base.Reset();
        AgreedMethod = null;
    }

    protected override void AddAuthenticationOption(CpOptionBuffer options)
    {
    }

    protected override void JudgeAuthenticationOption(in CpOption option, CpResponseBuilder response)
    {
        if (AuthProtocolOption.TryDecode(option.Value, out AuthMethod method) && Supports(method))
        {
            return;
        }

        if (_methods.Count == 0)
        {
            response.Reject(option);
            return;
        }

        Span<byte> value = stackalloc byte[3];
        int length = AuthProtocolOption.Encode(_methods[0], value);
        response.Nak(option, value[..length]);
    }

    protected override void OnPeerAuthenticationAcked(AuthMethod? method) => AgreedMethod = method;

    protected override void OnOwnRequestAcked()
    {
    }

    protected override NegotiationReaction OnAuthenticationNak(ReadOnlySpan<byte> value) => NegotiationReaction.Continue;

    protected override NegotiationReaction OnAuthenticationRejected() => NegotiationReaction.Continue;

    private bool Supports(AuthMethod method)
    {
        for (int i = 0; i < _methods.Count; i++)
        {
            if (_methods[i] == method)
            {
                return true;
            }
        }

        return false;
    }
}
