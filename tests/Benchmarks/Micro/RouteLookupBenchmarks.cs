using BenchmarkDotNet.Attributes;
using Gateway.Tunnel;

namespace Benchmarks.Micro;

/// <summary>
/// <see cref="PacketRouter.Lookup(uint)"/> with <see cref="Routes"/> sessions registered (one /32 each), and the whole
/// downlink dispatch (parse, lookup, enqueue into the session's queue, dequeue) for one packet.
/// </summary>
[MemoryDiagnoser]
public class RouteLookupBenchmarks
{
    private const int Lookups = 1024;

    private readonly uint[] _hits = new uint[Lookups];
    private PacketRouter _router = null!;
    private TunnelMetrics _metrics = null!;
    private EgressQueue _target = null!;
    private byte[] _downlink = [];

    [Params(10_000)]
    public int Routes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _metrics = new TunnelMetrics();
        _router = new PacketRouter(_metrics, 1400);
        var sessions = new EgressQueue[Routes];
        for (int i = 0; i < Routes; i++)
        {
            sessions[i] = new EgressQueue(new EgressQueueOptions { MaxPackets = 16, CoDel = false });
            _router.TryRegister(0x0A400000u + (uint)i, sessions[i]);
        }
        var random = new Random(42);
        for (int i = 0; i < Lookups; i++)
        {
            _hits[i] = 0x0A400000u + (uint)random.Next(Routes);
        }
        uint destination = 0x0A400000u + (uint)(Routes / 2);
        _target = sessions[Routes / 2];
        _downlink = Packets.Udp(1400, source: 0x08080808, destination: destination);
    }

    [GlobalCleanup]
    public void Cleanup() => _metrics.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Lookups)]
    public int Lookup_Hit()
    {
        int found = 0;
        foreach (uint a in _hits)
        {
            if (_router.Lookup(a) is not null)
            {
                found++;
            }
        }
        return found;
    }

    [Benchmark(OperationsPerInvoke = Lookups)]
    public int Lookup_Miss()
    {
        int found = 0;
        foreach (uint a in _hits)
        {
            if (_router.Lookup(a ^ 0x00800000u) is not null)
            {
                found++;
            }
        }
        return found;
    }

    [Benchmark]
    public int DispatchFromTunnel_1400()
    {
        DispatchResult r = _router.DispatchFromTunnel(_downlink);
        if (_target.TryDequeue(out EgressPacket p, 0))
        {
            p.Return();
        }
        return (int)r;
    }
}
