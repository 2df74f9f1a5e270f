namespace Gateway.Tunnel;

/// <summary>
/// Where the <see cref="PacketRouter"/> delivers a packet read from the TUN device for one session's client.
/// Called on a TUN reader thread, possibly from several queues at once: implementations copy the packet (the span
/// is only valid during the call) and must not block. <see cref="EgressQueue"/> is the standard implementation.
/// </summary>
public interface ITunnelSession
{
    /// <summary>Queues one IP packet toward the client; false when it was dropped (the implementation counts why).</summary>
    bool EnqueueFromTunnel(ReadOnlySpan<byte> packet);
}
