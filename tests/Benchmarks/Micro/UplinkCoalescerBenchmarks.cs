using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Gateway.Tests.Tunnel;
using Gateway.Tunnel;

namespace Benchmarks.Micro;

/// <summary>
/// <see cref="UplinkCoalescer"/> (uplink GRO) per packet: 11 packets of one flow (what one 16 KB TLS record carries)
/// merged into one super-packet and flushed to a device that discards it. TCP: contiguous 1360-byte segments; UDP:
/// 1400-byte datagrams, each checksum-verified before it joins. Figures are per packet; compare with one TUN write
/// (~2.9 us here, limits.md).
/// </summary>
[MemoryDiagnoser]
public class UplinkCoalescerBenchmarks
{
    private const int PacketsPerBatch = 11;
    private const int Mss = 1360;

    private readonly UplinkCoalescer _coalescer = new();
    private readonly DiscardTun _tun = new() { SupportsSuperPackets = true };
    private byte[][] _segments = [];
    private byte[][] _datagrams = [];

    [GlobalSetup]
    public void Setup()
    {
        _segments = new byte[PacketsPerBatch][];
        _datagrams = new byte[PacketsPerBatch][];
        for (int i = 0; i < PacketsPerBatch; i++)
        {
            byte[] p = Packets.Tcp(Mss, mss: null);
            BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(24), 1 + (uint)(i * Mss));
            _segments[i] = p;
            // No DF on these, so the identifications must go on by one for the datagrams to merge.
            byte[] d = Packets.Udp(1400);
            BinaryPrimitives.WriteUInt16BigEndian(d.AsSpan(4), (ushort)(1 + i));
            IpPacket.WriteIpv4HeaderChecksum(d);
            _datagrams[i] = d;
        }
        Tcp_PerSegment();
        Udp_PerDatagram();
        if (_tun.SuperPackets != 2)
        {
            throw new InvalidOperationException("the packets were not merged");
        }
    }

    [Benchmark(OperationsPerInvoke = PacketsPerBatch)]
    public bool Tcp_PerSegment() => Coalesce(_segments);

    [Benchmark(OperationsPerInvoke = PacketsPerBatch)]
    public bool Udp_PerDatagram() => Coalesce(_datagrams);

    private bool Coalesce(byte[][] packets)
    {
        bool ok = true;
        foreach (byte[] packet in packets)
        {
            ok &= _coalescer.Add(packet, _tun);
        }
        return ok & _coalescer.Flush(_tun);
    }
}
