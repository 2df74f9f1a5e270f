using BenchmarkDotNet.Attributes;
using Gateway.Tunnel;

namespace Benchmarks.Micro;

/// <summary>
/// <see cref="EgressQueue"/>: one enqueue plus one dequeue (copy into a pooled buffer and back), with and without
/// CoDel, and a burst of 32 drained with <see cref="EgressQueue.DequeueBatch(Span{EgressPacket}, int, long)"/>.
/// </summary>
[MemoryDiagnoser]
public class EgressQueueBenchmarks
{
    private const int Burst = 32;

    private readonly EgressPacket[] _batch = new EgressPacket[Burst];
    private EgressQueue _queue = null!;
    private byte[] _packet = [];
    private long _now;

    [Params(64, 1400)]
    public int PacketSize { get; set; }

    [Params(false, true)]
    public bool CoDel { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _queue = new EgressQueue(new EgressQueueOptions { MaxPackets = 1024, MaxBytes = 1024 * 1024, CoDel = CoDel });
        _packet = Packets.Udp(PacketSize);
    }

    [GlobalCleanup]
    public void Cleanup() => _queue.Dispose();

    [Benchmark(Baseline = true)]
    public int EnqueueDequeue()
    {
        long now = ++_now;
        _queue.TryEnqueue(_packet, now);
        if (!_queue.TryDequeue(out EgressPacket p, now))
        {
            return -1;
        }
        int length = p.Length;
        p.Return();
        return length;
    }

    [Benchmark(OperationsPerInvoke = Burst)]
    public int Burst32_DequeueBatch()
    {
        long now = ++_now;
        for (int i = 0; i < Burst; i++)
        {
            _queue.TryEnqueue(_packet, now);
        }
        int n = _queue.DequeueBatch(_batch, int.MaxValue, now);
        for (int i = 0; i < n; i++)
        {
            _batch[i].Return();
        }
        return n;
    }
}
