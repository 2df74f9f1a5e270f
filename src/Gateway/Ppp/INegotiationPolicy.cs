namespace Gateway.Ppp;

/// <summary>
/// The protocol-specific half of an option negotiation (LCP, IPCP, IPv6CP); <see cref="NegotiationAutomaton"/> is
/// the generic half (RFC 1661 4).
/// </summary>
public interface INegotiationPolicy
{
    /// <summary>A fresh negotiation starts (from Closed, Stopped or Starting): back to the configured preferences.</summary>
    void Reset();

    /// <summary>Writes the options of our next Configure-Request.</summary>
    void BuildRequest(CpOptionBuffer options);

    /// <summary>Judges the peer's (well-formed) Configure-Request options into <paramref name="response"/>.</summary>
    void JudgeRequest(ReadOnlySpan<byte> options, CpResponseBuilder response);

    /// <summary>We sent Configure-Ack for these options: they are now the peer's configuration.</summary>
    void OnRequestAcked(ReadOnlySpan<byte> options);

    /// <summary>The peer acknowledged our last request (these are its options, identical to ours).</summary>
    void OnAckReceived(ReadOnlySpan<byte> options);

    /// <summary>The peer Nak'd our request with these suggestions.</summary>
    NegotiationReaction OnNakReceived(ReadOnlySpan<byte> options);

    /// <summary>The peer rejected these options of our request.</summary>
    NegotiationReaction OnRejectReceived(ReadOnlySpan<byte> options);
}
