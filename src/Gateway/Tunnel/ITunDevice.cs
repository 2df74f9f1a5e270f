namespace Gateway.Tunnel;

/// <summary>
/// A layer-3 tunnel device: packets in and out, no link-layer header (IFF_TUN | IFF_NO_PI). <see cref="TunDevice"/>
/// is the Linux implementation; <see cref="InMemoryTun"/> serves tests.
/// </summary>
public interface ITunDevice : IDisposable
{
    /// <summary>The interface name the kernel gave the device.</summary>
    string Name { get; }

    /// <summary>The interface MTU: the largest packet <see cref="Write"/> should be given.</summary>
    int Mtu { get; }

    /// <summary>Starts delivering packets read from the device to <paramref name="handler"/>. Call once.</summary>
    void Start(TunPacketHandler handler);

    /// <summary>
    /// As <see cref="Start(TunPacketHandler)"/>, with a handler that reports refusals so a device that reads GSO
    /// super-packets can skip the remaining segments of one whose destination is full. Call once (instead of Start).
    /// </summary>
    void StartDispatch(TunDispatchHandler handler) => Start(packet => handler(packet, 0));

    /// <summary>
    /// As <see cref="StartDispatch(TunDispatchHandler)"/>, and a device that reads GSO super-packets asks
    /// <paramref name="admit"/> before segmenting one, dropping it whole when refused. Call once (instead of Start).
    /// </summary>
    void StartDispatch(TunDispatchHandler handler, TunAdmissionHandler admit) => StartDispatch(handler);

    /// <summary>
    /// Writes one complete IP packet toward the kernel. Safe from any number of threads at once (one write(2) per
    /// packet is atomic on a TUN fd). False when the device refused it or is closed.
    /// </summary>
    bool Write(ReadOnlySpan<byte> packet);

    /// <summary>True when <see cref="WriteSuperPacket"/> can hand the kernel a GSO super-packet (IFF_VNET_HDR on).</summary>
    bool SupportsSuperPackets => false;

    /// <summary>Which super-packets <see cref="WriteSuperPacket"/> takes (TSO4/TSO6 for TCP, USO4/USO6 for UDP); none
    /// without offloads.</summary>
    TunOffloads Offloads => TunOffloads.None;

    /// <summary>
    /// Writes a packet with its virtio header (a TCP or UDP super-packet built by <see cref="UplinkCoalescer"/>, or a plain one).
    /// Devices without offloads only take plain packets (GSO none, no partial checksum).
    /// </summary>
    bool WriteSuperPacket(ReadOnlySpan<byte> packet, in VirtioNetHeader header) =>
        header.GsoType == VirtioNetHeader.GsoNone && !header.NeedsChecksum && Write(packet);
}
