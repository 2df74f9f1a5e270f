using BenchmarkDotNet.Attributes;
using Gateway.Tunnel;

namespace Benchmarks.Micro;

/// <summary>
/// <see cref="GsoSegmenter"/> on the super-packets a TUN read returns with offloads on: a 64 KB TCP/IPv4 TSO packet
/// (47 segments of MSS 1360) and a UDP_L4 one (47 datagrams of 1372). Figures are per segment
/// (OperationsPerInvoke), including the copy into the scratch buffer and the full checksum of each segment.
/// </summary>
[MemoryDiagnoser]
public class GsoSegmenterBenchmarks
{
    private const int Segments = 47;
    private const int Mss = 1360;
    private const int UdpSegment = 1372;

    private readonly byte[] _scratch = new byte[65536];
    private byte[] _tcp = [];
    private byte[] _udp = [];
    private byte[] _partial = [];
    private VirtioNetHeader _tcpHeader;
    private VirtioNetHeader _udpHeader;
    private VirtioNetHeader _partialHeader;

    [GlobalSetup]
    public void Setup()
    {
        _tcp = Packets.Tcp(Segments * Mss, mss: null);
        _tcpHeader = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoTcpV4, 40, Mss, 20, 16);
        _udp = Packets.Udp(28 + Segments * UdpSegment);
        _udpHeader = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoUdpL4, 28, UdpSegment, 20, 6);
        _partial = Packets.Tcp(Mss, mss: null);
        _partialHeader = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoNone, 0, 0, 20, 16);
        if (Tcp_PerSegment() != Segments * (40 + Mss) || Udp_PerSegment() != Segments * (28 + UdpSegment))
        {
            throw new InvalidOperationException("segmentation failed");
        }
    }

    [Benchmark(OperationsPerInvoke = Segments)]
    public int Tcp_PerSegment() => SegmentAll(_tcp, _tcpHeader);

    [Benchmark(OperationsPerInvoke = Segments)]
    public int Udp_PerSegment() => SegmentAll(_udp, _udpHeader);

    /// <summary>A NEEDS_CSUM packet without GSO: one checksum over 1380 bytes, in place.</summary>
    [Benchmark(Baseline = true)]
    public GsoStatus CompleteChecksum_1400B() => GsoSegmenter.CompleteChecksum(_partial, _partialHeader);

    private int SegmentAll(byte[] packet, in VirtioNetHeader header)
    {
        if (GsoSegmenter.Prepare(packet, header, out GsoLayout layout) != GsoStatus.Ok)
        {
            return -1;
        }
        int bytes = 0;
        for (int i = 0; i < layout.SegmentCount; i++)
        {
            GsoSegmenter.WriteSegment(packet, layout, i, _scratch, out int length);
            bytes += length;
        }
        return bytes;
    }
}
