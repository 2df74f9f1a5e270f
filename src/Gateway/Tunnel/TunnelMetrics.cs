using System.Diagnostics.Metrics;

namespace Gateway.Tunnel;

/// <summary>
/// The counters of the tunnel data plane, on one <see cref="Meter"/> named <see cref="MeterName"/>. Tags carry only
/// a direction or a drop reason: never user names or addresses. Adding to a counter allocates nothing.
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
    ];

    private readonly Counter<long> _packets;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _tunWrites;
    private readonly bool _ownsMeter;

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
        _packets = Meter.CreateCounter<long>("gateway.tunnel.packets", "{packet}",
            "IP packets forwarded; direction=uplink (client to TUN) or downlink (TUN to client).");
        _bytes = Meter.CreateCounter<long>("gateway.tunnel.bytes", "By",
            "IP bytes forwarded; direction=uplink or downlink.");
        _dropped = Meter.CreateCounter<long>("gateway.tunnel.dropped", "{packet}",
            "IP packets dropped by the data plane, by reason.");
        _tunWrites = Meter.CreateCounter<long>("gateway.tunnel.tun_writes", "{write}",
            "Writes to the TUN device for uplink packets; with uplink GRO one super-packet write carries several packets.");
    }

    /// <summary>The meter holding the instruments (tests listen to this instance).</summary>
    public Meter Meter { get; }

    /// <summary>One packet from a client written to the TUN device.</summary>
    public void PacketUplink(int bytes)
    {
        _packets.Add(1, Uplink);
        _bytes.Add(bytes, Uplink);
    }

    /// <summary><paramref name="count"/> writes to the TUN device for uplink packets (a super-packet counts one).</summary>
    public void TunWrites(long count)
    {
        if (count > 0)
        {
            _tunWrites.Add(count, Uplink);
        }
    }

    /// <summary>One packet from the TUN device queued toward a client.</summary>
    public void PacketDownlink(int bytes)
    {
        _packets.Add(1, Downlink);
        _bytes.Add(bytes, Downlink);
    }

    /// <summary>One packet dropped.</summary>
    public void Dropped(TunnelDropReason reason) => _dropped.Add(1, DropTags[(int)reason]);

    /// <summary><paramref name="count"/> packets dropped at once (a CoDel drop run).</summary>
    public void Dropped(TunnelDropReason reason, int count)
    {
        if (count > 0)
        {
            _dropped.Add(count, DropTags[(int)reason]);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}
