using Gateway.Tests.Infrastructure;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

/// <summary>
/// The flow queues of <see cref="EgressQueue"/> (FQ-CoDel, RFC 8290): a sparse flow is served before a bulk flow's
/// backlog, the fattest flow pays when the shared hard bounds are reached, super-packets of the flow that fills the
/// queue are refused before they are segmented, and CoDel acts per flow.
/// </summary>
public class EgressFlowQueueTests
{
    private const uint Seed = 12345;

    /// <summary>A 1400-byte UDP datagram of the bulk flow toward the client 10.78.0.2 (first payload byte = tag).</summary>
    private static byte[] Bulk(byte tag, int length = 1400, ushort sourcePort = 9000)
    {
        byte[] payload = new byte[length - 28];
        payload[0] = tag;
        return TestPackets.Udp4("10.78.0.1", "10.78.0.2", sourcePort, 40000, payload);
    }

    /// <summary>A small packet of another flow (a ping reply's size), with a source port that hashes to another queue.</summary>
    private static byte[] Sparse(EgressQueue q, byte tag)
    {
        int bulkFlow = q.FlowOf(Bulk(0));
        for (ushort port = 1; ; port++)
        {
            byte[] packet = TestPackets.Udp4("10.78.0.1", "10.78.0.2", port, 7, [tag, 0, 0, 0, 0, 0, 0, 0]);
            if (q.FlowOf(packet) != bulkFlow)
            {
                return packet;
            }
        }
    }

    private static byte Tag(EgressPacket p) => p.Span[28];

    private static EgressQueue Queue(EgressQueueOptions options, TunnelMetrics? metrics = null) =>
        new(options, metrics, null, Seed);

    /// <summary>A 1 MiB queue without CoDel holding <paramref name="bulkPackets"/> bulk packets (tags 0, 1, ...) and
    /// then one sparse packet (tag 200).</summary>
    private static EgressQueue BulkThenSparse(byte bulkPackets)
    {
        EgressQueue q = Queue(new EgressQueueOptions { MaxBytes = 1 << 20, CoDel = false });
        for (byte i = 0; i < bulkPackets; i++)
        {
            Assert.True(q.TryEnqueue(Bulk(i), 0));
        }
        Assert.True(q.TryEnqueue(Sparse(q, 200), 0));
        return q;
    }

    [Fact]
    public void Flows_are_the_5_tuple()
    {
        byte[] a = TestPackets.Udp4("10.78.0.1", "10.78.0.2", 9000, 40000, new byte[100]);
        byte[] sameFlowOtherPayload = TestPackets.Udp4("10.78.0.1", "10.78.0.2", 9000, 40000, new byte[900]);
        Assert.Equal(FlowHash.Of(a, Seed), FlowHash.Of(sameFlowOtherPayload, Seed));
        Assert.NotEqual(FlowHash.Of(a, Seed), FlowHash.Of(TestPackets.Udp4("10.78.0.1", "10.78.0.2", 9001, 40000, new byte[100]), Seed));
        Assert.NotEqual(FlowHash.Of(a, Seed), FlowHash.Of(TestPackets.Udp4("10.78.0.9", "10.78.0.2", 9000, 40000, new byte[100]), Seed));
        Assert.NotEqual(FlowHash.Of(a, Seed), FlowHash.Of(a, Seed + 1)); // perturbed per queue (RFC 8290 4.1.1)

        // A later fragment has no ports: it hashes by addresses and protocol only, as does the first fragment's
        // protocol without ports (so all fragments of one datagram stay in one queue with each other).
        byte[] later = (byte[])a.Clone();
        later[7] = 0x10; // fragment offset 16
        byte[] otherPortsLater = TestPackets.Udp4("10.78.0.1", "10.78.0.2", 1, 2, new byte[100]);
        otherPortsLater[7] = 0x10;
        Assert.Equal(FlowHash.Of(later, Seed), FlowHash.Of(otherPortsLater, Seed));

        byte[] v6 = TestPackets.Udp6("fd00::1", "fd00::2", 100);
        byte[] v6OtherSource = TestPackets.Udp6("fd00::3", "fd00::2", 100);
        Assert.NotEqual(FlowHash.Of(v6, Seed), FlowHash.Of(v6OtherSource, Seed));
        Assert.Equal(FlowHash.Of(new byte[] { 1, 2, 3 }, Seed), FlowHash.Of(new byte[] { 9, 9 }, Seed)); // not IP: one flow
    }

    [Fact]
    public void A_sparse_packet_is_served_before_a_bulk_backlog_and_each_flow_keeps_its_order()
    {
        using EgressQueue q = BulkThenSparse(100);

        // DRR (RFC 8290 4.2): the bulk flow spends its 1514-byte quantum on two packets, then the new sparse flow is
        // served; with a FIFO the ping would have waited behind 100 packets.
        var order = new List<byte>();
        while (q.TryDequeue(out EgressPacket p, 0))
        {
            order.Add(Tag(p));
            p.Return();
        }
        Assert.Equal(101, order.Count);
        Assert.Equal(2, order.IndexOf(200));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (byte)i), order.Where(t => t != 200));
    }

    [Fact]
    public void Two_bulk_flows_share_the_queue_by_bytes()
    {
        using var q = Queue(new EgressQueueOptions { MaxBytes = 1 << 20, CoDel = false });
        int flowA = q.FlowOf(Bulk(0, sourcePort: 9000));
        ushort other = 9001;
        while (q.FlowOf(Bulk(0, sourcePort: other)) == flowA)
        {
            other++;
        }
        for (byte i = 0; i < 50; i++)
        {
            Assert.True(q.TryEnqueue(Bulk(1, 1400, 9000), 0));
            Assert.True(q.TryEnqueue(Bulk(2, 700, other), 0)); // half-size packets: twice as many per turn
        }
        int a = 0, b = 0;
        var batch = new EgressPacket[64];
        int n = q.DequeueBatch(batch, 60 * 1024, 0);
        for (int i = 0; i < n; i++)
        {
            if (Tag(batch[i]) == 1) { a += batch[i].Length; } else { b += batch[i].Length; }
            batch[i].Return();
        }
        // Equal bytes per round, within one quantum plus one packet.
        Assert.InRange(Math.Abs(a - b), 0, EgressQueue.QuantumBytes + 1400);
        while (q.TryDequeue(out EgressPacket p, 0))
        {
            p.Return();
        }
    }

    [Fact]
    public void When_full_the_flow_that_fills_the_queue_is_refused_and_a_sparse_packet_evicts_its_head()
    {
        using var metrics = new TunnelMetrics();
        using var counters = new MetricCollector(metrics);
        using var q = Queue(new EgressQueueOptions { MaxBytes = 10 * 1400, CoDel = false }, metrics);
        for (byte i = 0; i < 10; i++)
        {
            Assert.True(q.TryEnqueue(Bulk(i), 0));
        }
        // Drop-tail for the flow that fills the queue: its new packet is refused, its queued ones stay.
        Assert.False(q.TryEnqueue(Bulk(10), 0));
        Assert.Equal(1, q.DroppedFull);

        // A packet of another flow still gets in: the fattest flow loses its head packet (RFC 8290 4.1.3).
        byte[] sparse = Sparse(q, 200);
        Assert.True(q.TryEnqueue(sparse, 0));
        Assert.Equal(2, q.DroppedFull);
        Assert.Equal(2, counters.Get("gateway.tunnel.dropped", "reason", "queue_full"));
        Assert.Equal(9 * 1400 + sparse.Length, q.Bytes);
        Assert.True(q.Bytes <= 10 * 1400); // the byte bound is hard

        var order = new List<byte>();
        while (q.TryDequeue(out EgressPacket p, 0))
        {
            order.Add(Tag(p));
            p.Return();
        }
        Assert.Equal(new byte[] { 1, 2, 200, 3, 4, 5, 6, 7, 8, 9 }, order);
    }

    [Fact]
    public void A_flow_is_never_cut_below_a_sparser_one()
    {
        // Two flows of equal size fill the queue: the arriving packet's own flow would become the fattest, so it is
        // refused rather than taken from the other.
        using var q = Queue(new EgressQueueOptions { MaxBytes = 4 * 1400, CoDel = false });
        byte[] sparse = Sparse(q, 1);
        ushort port = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(sparse.AsSpan(20));
        byte[] big = TestPackets.Udp4("10.78.0.1", "10.78.0.2", port, 7, new byte[1372]);
        Assert.Equal(q.FlowOf(sparse), q.FlowOf(big));
        Assert.True(q.TryEnqueue(Bulk(0), 0));
        Assert.True(q.TryEnqueue(Bulk(1), 0));
        Assert.True(q.TryEnqueue(big, 0));
        Assert.True(q.TryEnqueue(big, 0));
        Assert.False(q.TryEnqueue(big, 0));
        Assert.Equal(4 * 1400, q.Bytes);
    }

    [Fact]
    public void One_flow_queue_is_a_single_drop_tail_FIFO()
    {
        using var q = Queue(new EgressQueueOptions { MaxBytes = 10 * 1400, CoDel = false, FlowQueues = 1 });
        for (byte i = 0; i < 10; i++)
        {
            Assert.True(q.TryEnqueue(Bulk(i), 0));
        }
        Assert.False(q.TryEnqueue(TestPackets.Udp4("10.78.0.1", "10.78.0.2", 1, 7, new byte[8]), 0)); // no other flow to take room from
        var order = new List<byte>();
        while (q.TryDequeue(out EgressPacket p, 0))
        {
            order.Add(Tag(p));
            p.Return();
        }
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), order);
    }

    [Fact]
    public void A_super_packet_of_the_flow_that_fills_the_queue_is_refused_before_segmentation_and_counted_whole()
    {
        using var metrics = new TunnelMetrics();
        using var counters = new MetricCollector(metrics);
        using var q = Queue(new EgressQueueOptions { MaxBytes = 10 * 1400, CoDel = false }, metrics);
        Assert.True(q.AdmitsFromTunnel(Bulk(0), 1400, 47)); // empty: taken
        for (byte i = 0; i < 10; i++)
        {
            Assert.True(q.TryEnqueue(Bulk(i), 0));
        }
        Assert.False(q.AdmitsFromTunnel(Bulk(0), 1400, 47));
        Assert.Equal(47, q.DroppedFull);
        Assert.Equal(47, counters.Get("gateway.tunnel.dropped", "reason", "queue_full"));

        // Another flow's super-packet would evict from the fattest flow: admitted, and nothing dropped yet.
        byte[] sparse = Sparse(q, 1);
        Assert.True(q.AdmitsFromTunnel(sparse, 100, 3));
        Assert.Equal(47, q.DroppedFull);
        Assert.Equal(10, q.Count);

        Assert.False(q.AdmitsFromTunnel(Bulk(0), 1 << 20, 2)); // larger than the queue: too big
        Assert.Equal(2, counters.Get("gateway.tunnel.dropped", "reason", "too_big"));
        q.Complete();
        Assert.False(q.AdmitsFromTunnel(sparse, 100, 1));
    }

    [Fact]
    public void CoDel_drops_only_from_the_flow_with_a_standing_queue()
    {
        using var metrics = new TunnelMetrics();
        using var counters = new MetricCollector(metrics);
        using var q = Queue(new EgressQueueOptions { MaxBytes = 4 << 20, MaxPackets = 8192, TargetDelayMs = 10, IntervalMs = 100 }, metrics);
        byte[] sparse = Sparse(q, 7);
        int sparseSent = 0, sparseReceived = 0;
        long firstDropAt = -1;
        // The bulk flow arrives at 2 packets/ms and leaves at about 1 packet/ms: its queue and delay grow. One sparse
        // packet every 10 ms must never be dropped and never wait long.
        for (long ms = 0; ms < 600; ms++)
        {
            q.TryEnqueue(Bulk(1), ms);
            q.TryEnqueue(Bulk(1), ms);
            if (ms % 10 == 0)
            {
                Assert.True(q.TryEnqueue(sparse, ms));
                sparseSent++;
            }
            long before = q.DroppedDelay;
            if (q.TryDequeue(out EgressPacket p, ms))
            {
                if (Tag(p) == 7)
                {
                    sparseReceived++;
                    Assert.True(q.TryDequeue(out EgressPacket next, ms)); // the bulk packet of this millisecond
                    next.Return();
                }
                p.Return();
            }
            if (firstDropAt < 0 && q.DroppedDelay > before)
            {
                firstDropAt = ms;
            }
        }
        Assert.Equal(sparseSent, sparseReceived);
        Assert.InRange(firstDropAt, 105, 125); // one interval after the bulk flow's delay exceeded the target
        Assert.True(q.DroppedDelay > 5);
        Assert.Equal(q.DroppedDelay, counters.Get("gateway.tunnel.dropped", "reason", "queue_delay"));
    }

    [Fact]
    public void A_batch_over_its_byte_budget_leaves_the_next_packet_in_place()
    {
        using EgressQueue q = BulkThenSparse(4);
        var batch = new EgressPacket[16];
        Assert.Equal(1, q.DequeueBatch(batch, 2000, 0)); // the second 1400-byte packet would exceed 2000
        Assert.Equal(0, Tag(batch[0]));
        batch[0].Return();
        Assert.Equal(4, q.Count);
        var order = new List<byte>();
        int n;
        while ((n = q.DequeueBatch(batch, 100_000, 0)) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                order.Add(Tag(batch[i]));
                batch[i].Return();
            }
        }
        Assert.Equal(new byte[] { 1, 200, 2, 3 }, order);
        Assert.Equal(0, q.Bytes);
    }
}
