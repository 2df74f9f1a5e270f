using System.Threading.Channels;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

/// <summary>
/// An in-memory <see cref="ITunDevice"/> for tests (like wireguard-go's tun/tuntest): <see cref="Inject"/> plays the
/// kernel sending a packet into the tunnel (the handler runs on the caller's thread); packets the gateway writes
/// are collected and read back with <see cref="ReadWrittenAsync"/> or <see cref="TryReadWritten"/>.
/// </summary>
public sealed class InMemoryTun : ITunDevice
{
    private readonly Channel<byte[]> _written = Channel.CreateUnbounded<byte[]>();
    private TunPacketHandler? _handler;
    private volatile bool _disposed;

    public InMemoryTun(string name = "memtun0", int mtu = 1400)
    {
        Name = name;
        Mtu = mtu;
    }

    public string Name { get; }

    public int Mtu { get; }

    /// <summary>When set, <see cref="Write"/> fails (to test error paths).</summary>
    public bool FailWrites { get; set; }

    private int _writtenCount;

    public int WrittenCount => Volatile.Read(ref _writtenCount);

    public void Start(TunPacketHandler handler)
    {
        if (Interlocked.CompareExchange(ref _handler, handler, null) is not null)
        {
            throw new InvalidOperationException("Started twice.");
        }
    }

    public bool Write(ReadOnlySpan<byte> packet)
    {
        if (_disposed || FailWrites)
        {
            return false;
        }
        Interlocked.Increment(ref _writtenCount);
        return _written.Writer.TryWrite(packet.ToArray());
    }

    /// <summary>Delivers <paramref name="packet"/> as if read from the device (a copy, so the handler may modify it).</summary>
    public void Inject(ReadOnlySpan<byte> packet)
    {
        TunPacketHandler handler = _handler ?? throw new InvalidOperationException("Not started.");
        byte[] copy = packet.ToArray();
        handler(copy);
    }

    public bool TryReadWritten(out byte[] packet) => _written.Reader.TryRead(out packet!);

    public ValueTask<byte[]> ReadWrittenAsync(CancellationToken cancellationToken = default) =>
        _written.Reader.ReadAsync(cancellationToken);

    /// <summary>When set, the device takes super-packets (like a <see cref="TunDevice"/> with offloads): setting it
    /// turns every offload on (or off); <see cref="Offloads"/> narrows them.</summary>
    public bool SupportsSuperPackets
    {
        get => Offloads != TunOffloads.None;
        set => Offloads = value ? AllOffloads : TunOffloads.None;
    }

    /// <summary>What a <see cref="TunDevice"/> on this kernel accepts: checksums, TSO4/6 with ECN, USO4/6.</summary>
    public const TunOffloads AllOffloads = TunOffloads.Checksum | TunOffloads.Tso4 | TunOffloads.Tso6 | TunOffloads.TsoEcn
        | TunOffloads.Uso4 | TunOffloads.Uso6;

    public TunOffloads Offloads { get; set; }

    /// <summary>Every <see cref="WriteSuperPacket"/> call, with its header (the packet also goes to the written queue).</summary>
    public List<(VirtioNetHeader Header, byte[] Packet)> SuperPacketWrites { get; } = [];

    public bool WriteSuperPacket(ReadOnlySpan<byte> packet, in VirtioNetHeader header)
    {
        if (!SupportsSuperPackets)
        {
            return header.GsoType == VirtioNetHeader.GsoNone && !header.NeedsChecksum && Write(packet);
        }
        lock (SuperPacketWrites)
        {
            SuperPacketWrites.Add((header, packet.ToArray()));
        }
        return Write(packet);
    }

    public void Dispose()
    {
        _disposed = true;
        _written.Writer.TryComplete();
    }
}
