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

    /// <summary>
    /// Asked before a GSO super-packet is segmented: would the first of its <paramref name="count"/> segments, of
    /// <paramref name="length"/> bytes, be taken? <paramref name="headers"/> starts with the super-packet's IP and
    /// transport headers, which every segment shares. False means all of them are dropped unsegmented, and the
    /// implementation has counted them. The default takes everything (the segments are offered one by one).
    /// </summary>
    bool AdmitsFromTunnel(ReadOnlySpan<byte> headers, int length, int count) => true;
}
