using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Gateway.Tests.Tunnel;
using Gateway.Tunnel;

namespace Benchmarks.Micro;

/// <summary>
/// <see cref="UplinkCoalescer"/> (uplink GRO) per packet: 11 contiguous 1360-byte segments (what one 16 KB TLS record
/// carries) merged into one super-packet and flushed to a device that discards it. Figures are per segment.
/// </summary>
[MemoryDiagnoser]
public class TcpCoalescerBenchmarks
{
    private const int Segments = 11;
    private const int Mss = 1360;

    private readonly UplinkCoalescer _coalescer = new();
    private readonly DiscardTun _tun = new() { SupportsSuperPackets = true };
    private byte[][] _segments = [];

    [GlobalSetup]
    public void Setup()
    {
        _segments = new byte[Segments][];
        for (int i = 0; i < Segments; i++)
        {
            byte[] p = Packets.Tcp(Mss, mss: null);
            BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(24), 1 + (uint)(i * Mss));
            _segments[i] = p;
        }
        Coalesce_PerSegment();
        if (_tun.SuperPackets != 1)
        {
            throw new InvalidOperationException("the segments were not merged");
        }
    }

    [Benchmark(OperationsPerInvoke = Segments)]
    public bool Coalesce_PerSegment()
    {
        bool ok = true;
        foreach (byte[] segment in _segments)
        {
            ok &= _coalescer.Add(segment, _tun);
        }
        return ok & _coalescer.Flush(_tun);
    }
}
