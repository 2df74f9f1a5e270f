using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

/// <summary>An <see cref="ITunDevice"/> that takes every write and keeps nothing (for allocation tests).</summary>
internal sealed class DiscardTun : ITunDevice
{
    public string Name => "discard";

    public int Mtu => 1400;

    public bool SupportsSuperPackets { get; init; }

    public TunOffloads Offloads => SupportsSuperPackets ? InMemoryTun.AllOffloads : TunOffloads.None;

    /// <summary>Super-packets taken by <see cref="WriteSuperPacket"/>.</summary>
    public long SuperPackets { get; private set; }

    public void Start(TunPacketHandler handler)
    {
    }

    public bool Write(ReadOnlySpan<byte> packet) => true;

    public bool WriteSuperPacket(ReadOnlySpan<byte> packet, in VirtioNetHeader header)
    {
        SuperPackets++;
        return true;
    }

    public void Dispose()
    {
    }
}
