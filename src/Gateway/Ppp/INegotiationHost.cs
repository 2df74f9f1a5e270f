namespace Gateway.Ppp;

/// <summary>What a <see cref="NegotiationAutomaton"/> needs from the engine that owns it (RFC 1661 4.4 actions).</summary>
public interface INegotiationHost
{
    /// <summary>Sends one control packet (starting at Code) of the automaton's protocol.</summary>
    void SendControl(ushort protocol, ReadOnlySpan<byte> packet);

    /// <summary>tlu: the layer entered Opened.</summary>
    void ThisLayerUp(NegotiationAutomaton layer, long nowMs);

    /// <summary>tld: the layer leaves Opened.</summary>
    void ThisLayerDown(NegotiationAutomaton layer, long nowMs);

    /// <summary>tls: the layer needs its lower layer.</summary>
    void ThisLayerStarted(NegotiationAutomaton layer, long nowMs);

    /// <summary>tlf: the layer is done with its lower layer (Closed or Stopped).</summary>
    void ThisLayerFinished(NegotiationAutomaton layer, long nowMs);
}
