using Gateway.Sstp;

namespace Gateway.Sessions;

/// <summary>What an <see cref="SstpPump"/> asks of the side that owns it (the gateway session, or the client).</summary>
public interface ISstpPumpHost
{
    /// <summary>
    /// Runs after every engine call, under the pump's lock: handle what PPP raised during the call (HLAK for crypto
    /// binding, address requests, network up). May call into the engine again.
    /// </summary>
    void AfterEngineCall(long nowMs);

    /// <summary>An IP packet from the peer (outside the lock; the span may be modified and is valid during the call).</summary>
    void OnIpPacket(SstpInputKind kind, Span<byte> packet);

    /// <summary>
    /// A batch of packets passed to <see cref="OnIpPacket"/> ends: the next transport read would wait (or the receive
    /// loop ends). Packets held for merging must be written now. The packet spans of a batch may come from several
    /// reads, so anything held past one <see cref="OnIpPacket"/> call must be a copy.
    /// </summary>
    void OnIpBatchEnd()
    {
    }
}
