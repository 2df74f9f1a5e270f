using System.Buffers;
using BenchmarkDotNet.Attributes;
using Gateway.Ppp;
using Gateway.Sstp;

namespace Benchmarks.Micro;

/// <summary>
/// SSTP framing of a receive buffer holding <see cref="PacketsPerBuffer"/> data packets (SSTP data header, PPP header,
/// IPv4/UDP), as the pump sees it after one TLS read. One operation = one packet.
/// </summary>
[MemoryDiagnoser]
public class SstpFrameParseBenchmarks
{
    private const int PacketsPerBuffer = 64;

    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _segmented;
    private byte[] _contiguous = [];

    [Params(64, 1400)]
    public int IpPacketSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] ip = Packets.Udp(IpPacketSize);
        int packetLength = SstpFrameWriter.DataPrefixLength + ip.Length;
        _contiguous = new byte[packetLength * PacketsPerBuffer];
        for (int i = 0; i < PacketsPerBuffer; i++)
        {
            Span<byte> dst = _contiguous.AsSpan(i * packetLength, packetLength);
            int prefix = SstpFrameWriter.WriteDataPrefix(dst, PppProtocol.IPv4, ip.Length);
            ip.CopyTo(dst[prefix..]);
        }
        _single = new ReadOnlySequence<byte>(_contiguous);
        // 16 KiB segments, like a pipe filled by TLS records: some headers straddle two segments.
        _segmented = Segments.Split(_contiguous, 16 * 1024);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = PacketsPerBuffer)]
    public int Sequence_OneSegment() => ReadAll(_single);

    [Benchmark(OperationsPerInvoke = PacketsPerBuffer)]
    public int Sequence_16KSegments() => ReadAll(_segmented);

    [Benchmark(OperationsPerInvoke = PacketsPerBuffer)]
    public int Span()
    {
        ReadOnlySpan<byte> buffer = _contiguous;
        int total = 0;
        while (SstpFrameReader.TryReadPacket(buffer, out int length, out _) == SstpReadStatus.Packet)
        {
            total += length;
            buffer = buffer[length..];
        }
        return total;
    }

    private static int ReadAll(ReadOnlySequence<byte> buffer)
    {
        int total = 0;
        while (SstpFrameReader.TryReadPacket(ref buffer, out ReadOnlySequence<byte> packet, out _) == SstpReadStatus.Packet)
        {
            total += (int)packet.Length;
        }
        return total;
    }
}
