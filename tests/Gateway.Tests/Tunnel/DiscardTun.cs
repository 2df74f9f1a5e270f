using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

/// <summary>An <see cref="ITunDevice"/> that takes every write and keeps nothing (for allocation tests).</summary>
internal sealed class DiscardTun : ITunDevice
{
    public string Name => "discard";

    public int Mtu => 1400;

    public bool SupportsSuperPackets { get; init; }

    /// <summary>With <see cref="SupportsSuperPackets"/>, what a <see cref="TunDevice"/> on this kernel accepts.</summary>
    public TunOffloads Offloads => SupportsSuperPackets
        ? TunOffloads.Checksum | TunOffloads.Tso4 | TunOffloads.Tso6 | TunOffloads.TsoEcn | TunOffloads.Uso4 | TunOffloads.Uso6
        : TunOffloads.None;

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
