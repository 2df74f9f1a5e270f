using System.Diagnostics.Metrics;

namespace Gateway.Tunnel;

/// <summary>
/// The counters of the tunnel data plane, on one <see cref="Meter"/> named <see cref="MeterName"/>. Tags carry only
/// a direction or a drop reason: never user names or addresses. The data path adds to plain 64-bit counts (one atomic
/// add each, nothing allocated) and the instruments are observable counters that read those totals when metrics are
/// collected: a Counter&lt;T&gt;.Add with a tag costs the OpenTelemetry SDK a tag-set lookup on every packet (about
/// 5% of the gateway's CPU in a profile of one saturated session).
/// </summary>
public sealed class TunnelMetrics : IDisposable
{
    public const string MeterName = "Gateway.Tunnel";

    private static readonly KeyValuePair<string, object?> Uplink = new("direction", "uplink");
    private static readonly KeyValuePair<string, object?> Downlink = new("direction", "downlink");
    private static readonly KeyValuePair<string, object?>[] DropTags =
    [
        new("reason", "spoofed"),
        new("reason", "no_route"),
        new("reason", "queue_full"),
        new("reason", "queue_delay"),
        new("reason", "malformed"),
        new("reason", "too_big"),
        new("reason", "tun_write_failed"),
        new("reason", "link_local"),
    ];

    private readonly bool _ownsMeter;

    // Uplink and downlink are added from different threads (TLS readers, the TUN reader): separate cache lines.
    private Totals _uplink;
    private Totals _downlink;
    private readonly long[] _dropped = new long[DropTags.Length * Totals.Stride];

    /// <summary>Creates the meter through <paramref name="meterFactory"/> (DI) or, without one, a standalone meter.</summary>
    public TunnelMetrics(IMeterFactory? meterFactory = null)
    {
        if (meterFactory is null)
        {
            Meter = new Meter(MeterName);
            _ownsMeter = true;
        }
        else
        {
            Meter = meterFactory.Create(MeterName);
        }
        Meter.CreateObservableCounter("gateway.tunnel.packets", () => new[]
            {
                new Measurement<long>(Volatile.Read(ref _uplink.Packets), Uplink),
                new Measurement<long>(Volatile.Read(ref _downlink.Packets), Downlink),
            }, "{packet}",
            "IP packets forwarded; direction=uplink (client to TUN) or downlink (TUN to client).");
        Meter.CreateObservableCounter("gateway.tunnel.bytes", () => new[]
            {
                new Measurement<long>(Volatile.Read(ref _uplink.Bytes), Uplink),
                new Measurement<long>(Volatile.Read(ref _downlink.Bytes), Downlink),
            }, "By",
            "IP bytes forwarded; direction=uplink or downlink.");
        Meter.CreateObservableCounter("gateway.tunnel.dropped", ObserveDropped, "{packet}",
            "IP packets dropped by the data plane, by reason.");
        Meter.CreateObservableCounter("gateway.tunnel.tun_writes",
            () => new Measurement<long>(Volatile.Read(ref _uplink.TunWrites), Uplink), "{write}",
            "Writes to the TUN device for uplink packets; with uplink GRO one super-packet write carries several packets.");
    }

    /// <summary>The meter holding the instruments (tests listen to this instance).</summary>
    public Meter Meter { get; }

    /// <summary>One packet from a client written to the TUN device.</summary>
    public void PacketUplink(int bytes)
    {
        Interlocked.Increment(ref _uplink.Packets);
        Interlocked.Add(ref _uplink.Bytes, bytes);
    }

    /// <summary><paramref name="count"/> writes to the TUN device for uplink packets (a super-packet counts one).</summary>
    public void TunWrites(long count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _uplink.TunWrites, count);
        }
    }

    /// <summary>One packet from the TUN device queued toward a client.</summary>
    public void PacketDownlink(int bytes)
    {
        Interlocked.Increment(ref _downlink.Packets);
        Interlocked.Add(ref _downlink.Bytes, bytes);
    }

    /// <summary>One packet dropped.</summary>
    public void Dropped(TunnelDropReason reason) =>
        Interlocked.Increment(ref _dropped[(int)reason * Totals.Stride]);

    /// <summary><paramref name="count"/> packets dropped at once (a CoDel drop run).</summary>
    public void Dropped(TunnelDropReason reason, int count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _dropped[(int)reason * Totals.Stride], count);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    private IEnumerable<Measurement<long>> ObserveDropped()
    {
        var measurements = new Measurement<long>[DropTags.Length];
        for (int i = 0; i < DropTags.Length; i++)
        {
            measurements[i] = new Measurement<long>(Volatile.Read(ref _dropped[i * Totals.Stride]), DropTags[i]);
        }
        return measurements;
    }

    /// <summary>Packet and byte totals of one direction, padded to a cache line of their own.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 128)]
    private struct Totals
    {
        /// <summary>Array slots between two drop reasons' counts (64 bytes: one cache line each).</summary>
        public const int Stride = 8;

        [System.Runtime.InteropServices.FieldOffset(64)]
        public long Packets;

        [System.Runtime.InteropServices.FieldOffset(72)]
        public long Bytes;

        [System.Runtime.InteropServices.FieldOffset(80)]
        public long TunWrites;
    }
}
