using System.Threading.Tasks.Sources;

namespace Gateway.Tunnel;

/// <summary>
/// The bounded queue of IP packets from the TUN device toward one client. Many producers (TUN reader threads)
/// copy packets in with <see cref="EnqueueFromTunnel"/>; one consumer (the session pump) waits with
/// <see cref="WaitToReadAsync"/> and takes many at once with <see cref="DequeueBatch(Span{EgressPacket}, int)"/>
/// so it can coalesce them into one TLS write. Only IP data goes here: control frames never wait behind data.
/// <para>
/// Flow queueing after FQ-CoDel (RFC 8290): each packet goes to one of <see cref="EgressQueueOptions.FlowQueues"/>
/// queues by its 5-tuple hash (4.1.1); dequeue serves new flows before old ones by deficit round robin (4.2), and
/// with CoDel on each flow has its own CoDel state (RFC 8289), dropping at the head what stood longer than the target
/// for an interval. The bounds (bytes and packets) are hard and shared by all flows: when a packet does not fit, the
/// fattest flow pays (4.1.3). If that is the arriving packet's own flow the packet is refused (drop-tail for the
/// flow that fills the queue, so the TUN reader can skip the rest of its super-packet unsegmented); otherwise packets
/// are dropped from the fattest flow's head until it fits. So a ping or an ACK neither waits behind a bulk download's
/// backlog nor is dropped because of it. With one flow queue this is the former single drop-tail FIFO.
/// </para>
/// Buffers come from <see cref="PacketBufferPool"/>, which takes them back from whichever thread returns them; nothing
/// is allocated per packet. The packet slots start small and double up to <see cref="EgressQueueOptions.MaxPackets"/>
/// only when that many packets stand in the queue at once, and the flow table is allocated with the first packet, so
/// an idle session holds a few hundred bytes here instead of the whole bound (thousands of idle sessions per node).
/// </summary>
public sealed class EgressQueue : ITunnelSession, IValueTaskSource<bool>, IDisposable
{
    private const int InitialCapacity = 16;

    /// <summary>RFC 8290 5.2.5: the DRR quantum, one MTU plus a link header.</summary>
    internal const int QuantumBytes = 1514;

    private const int NoList = 0;
    private const int NewList = 1;
    private const int OldList = 2;

    private readonly object _lock = new();
    private readonly EgressQueueOptions _options;
    private readonly TunnelMetrics? _metrics;
    private readonly TimeProvider _time;
    private readonly uint _seed;
    private Slot[] _slots;
    private int _freeSlot = -1;
    private Flow[] _flows;
    private int _count;
    private long _bytes;
    private bool _completed;

    // RFC 8290 4.2: the lists of new and old flows (indexes into _flows, linked through Flow.NextInList).
    private int _newHead = -1;
    private int _newTail = -1;
    private int _oldHead = -1;
    private int _oldTail = -1;

    // The single waiting reader.
    private ManualResetValueTaskSourceCore<bool> _signal = new() { RunContinuationsAsynchronously = true };
    private bool _waiting;
    private CancellationTokenRegistration _cancellation;

    private long _droppedFull;
    private long _droppedDelay;

    public EgressQueue(EgressQueueOptions? options = null, TunnelMetrics? metrics = null, TimeProvider? timeProvider = null)
        : this(options, metrics, timeProvider, (uint)Random.Shared.Next())
    {
    }

    /// <summary>As the public constructor, with the flow hash perturbation given (tests choose flows that do not
    /// share a queue).</summary>
    internal EgressQueue(EgressQueueOptions? options, TunnelMetrics? metrics, TimeProvider? timeProvider, uint flowSeed)
    {
        _options = options ?? new EgressQueueOptions();
        if (_options.MaxPackets < 1 || _options.MaxBytes < 1 || _options.FlowQueues < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxPackets, MaxBytes and FlowQueues must be positive.");
        }
        _metrics = metrics;
        _time = timeProvider ?? TimeProvider.System;
        _seed = flowSeed;
        _slots = [];
        _flows = [];
    }

    /// <summary>Packet slots the queue has now (grows on demand up to <see cref="EgressQueueOptions.MaxPackets"/>).</summary>
    internal int Capacity
    {
        get { lock (_lock) { return _slots.Length; } }
    }

    /// <summary>Packets queued now.</summary>
    public int Count
    {
        get { lock (_lock) { return _count; } }
    }

    /// <summary>Bytes queued now.</summary>
    public long Bytes
    {
        get { lock (_lock) { return _bytes; } }
    }

    /// <summary>Packets dropped because the queue was full (since creation).</summary>
    public long DroppedFull => Interlocked.Read(ref _droppedFull);

    /// <summary>Packets dropped by CoDel for standing too long (since creation).</summary>
    public long DroppedDelay => Interlocked.Read(ref _droppedDelay);

    /// <summary>Now in monotonic milliseconds from the queue's <see cref="TimeProvider"/>.</summary>
    public long NowMs => _time.GetTimestamp() * 1000 / _time.TimestampFrequency;

    /// <summary>The flow queue <paramref name="packet"/> goes to.</summary>
    internal int FlowOf(ReadOnlySpan<byte> packet) => (int)(FlowHash.Of(packet, _seed) % (uint)_options.FlowQueues);

    /// <inheritdoc />
    public bool EnqueueFromTunnel(ReadOnlySpan<byte> packet) => TryEnqueue(packet, NowMs);

    /// <inheritdoc />
    public bool AdmitsFromTunnel(ReadOnlySpan<byte> headers, int length, int count)
    {
        if (length > _options.MaxBytes)
        {
            _metrics?.Dropped(TunnelDropReason.TooBig, count);
            return false;
        }
        int flow = FlowOf(headers);
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }
            if (Fits(length) || CanEvictFor(flow, length))
            {
                return true;
            }
            _droppedFull += count;
        }
        _metrics?.Dropped(TunnelDropReason.QueueFull, count);
        return false;
    }

    /// <summary>Copies <paramref name="packet"/> into the queue; false (and counted) when it is full or completed.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> packet, long nowMs)
    {
        if (packet.Length > _options.MaxBytes)
        {
            _metrics?.Dropped(TunnelDropReason.TooBig);
            return false;
        }
        int flow = FlowOf(packet);
        bool wake;
        int evicted = 0;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }
            if (_flows.Length == 0)
            {
                _flows = new Flow[_options.FlowQueues];
                _flows.AsSpan().Fill(Flow.Empty);
            }
            while (!Fits(packet.Length))
            {
                int fattest = Fattest();
                if (!CanEvict(fattest, flow, packet.Length))
                {
                    _droppedFull += evicted + 1;
                    ReportFull(evicted + 1);
                    return false;
                }
                TakeFromFlow(fattest).Return();
                evicted++;
            }
            _droppedFull += evicted;
            if (_freeSlot < 0)
            {
                Grow();
            }
            int slot = _freeSlot;
            _freeSlot = _slots[slot].Next;
            byte[] buffer = PacketBufferPool.Rent(Math.Max(packet.Length, 1));
            packet.CopyTo(buffer);
            _slots[slot] = new Slot { Buffer = buffer, Length = packet.Length, EnqueuedAtMs = nowMs, Next = -1 };
            ref Flow f = ref _flows[flow];
            if (f.Tail < 0)
            {
                f.Head = slot;
            }
            else
            {
                _slots[f.Tail].Next = slot;
            }
            f.Tail = slot;
            f.Count++;
            f.Bytes += packet.Length;
            _count++;
            _bytes += packet.Length;
            if (f.List == NoList)
            {
                // RFC 8290 4.1: a flow that was not active joins the new flows with a full quantum.
                f.Deficit = QuantumBytes;
                Append(ref _newHead, ref _newTail, flow, NewList);
            }
            wake = _waiting;
            _waiting = false;
        }
        ReportFull(evicted);
        if (wake)
        {
            _signal.SetResult(true);
        }
        return true;
    }

    /// <summary>Takes one packet, applying CoDel; false when the queue is empty.</summary>
    public bool TryDequeue(out EgressPacket packet) => TryDequeue(out packet, NowMs);

    /// <summary>Takes one packet at time <paramref name="nowMs"/>, applying CoDel; false when the queue is empty.</summary>
    public bool TryDequeue(out EgressPacket packet, long nowMs)
    {
        int dropped;
        bool got;
        lock (_lock)
        {
            got = DequeueLocked(out packet, nowMs, out _, out _, out dropped);
        }
        ReportDelay(dropped);
        return got;
    }

    /// <summary>Takes up to <paramref name="destination"/>.Length packets and at most <paramref name="maxBytes"/>
    /// bytes (at least one packet if any is queued). Returns how many were written to <paramref name="destination"/>.</summary>
    public int DequeueBatch(Span<EgressPacket> destination, int maxBytes) => DequeueBatch(destination, maxBytes, NowMs);

    /// <summary><see cref="DequeueBatch(Span{EgressPacket}, int)"/> at time <paramref name="nowMs"/>.</summary>
    public int DequeueBatch(Span<EgressPacket> destination, int maxBytes, long nowMs)
    {
        int n = 0;
        long taken = 0;
        int dropped = 0;
        lock (_lock)
        {
            while (n < destination.Length && _count > 0)
            {
                bool got = DequeueLocked(out EgressPacket packet, nowMs, out int flow, out long enqueuedAtMs, out int d);
                dropped += d;
                if (!got)
                {
                    break;
                }
                if (n > 0 && taken + packet.Length > maxBytes)
                {
                    // Over the budget: it goes back to the head of its flow, as if it had not been taken.
                    PutBack(flow, packet, enqueuedAtMs);
                    break;
                }
                destination[n++] = packet;
                taken += packet.Length;
            }
        }
        ReportDelay(dropped);
        return n;
    }

    /// <summary>
    /// Completes when a packet is queued (true) or the queue was completed and is empty (false).
    /// One reader at a time.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        short version;
        lock (_lock)
        {
            if (_count > 0)
            {
                return new ValueTask<bool>(true);
            }
            if (_completed)
            {
                return new ValueTask<bool>(false);
            }
            if (_waiting)
            {
                throw new InvalidOperationException("EgressQueue allows a single waiting reader.");
            }
            cancellationToken.ThrowIfCancellationRequested();
            _signal.Reset();
            _waiting = true;
            version = _signal.Version;
        }
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(
                static (state, token) => ((EgressQueue)state!).CancelWait(token), this);
        }
        return new ValueTask<bool>(this, version);
    }

    /// <summary>No more packets will be accepted; a waiting reader wakes up and sees false once the queue is empty.</summary>
    public void Complete()
    {
        bool wake;
        lock (_lock)
        {
            _completed = true;
            wake = _waiting;
            _waiting = false;
        }
        if (wake)
        {
            _signal.SetResult(false);
        }
    }

    /// <summary>Completes the queue and returns every queued buffer to the pool.</summary>
    public void Dispose()
    {
        Complete();
        lock (_lock)
        {
            for (int flow = 0; flow < _flows.Length; flow++)
            {
                while (_flows[flow].Count > 0)
                {
                    TakeFromFlow(flow).Return();
                }
            }
        }
    }

    private void CancelWait(CancellationToken token)
    {
        lock (_lock)
        {
            if (!_waiting)
            {
                return;
            }
            _waiting = false;
        }
        _signal.SetException(new OperationCanceledException(token));
    }

    private bool Fits(int length) => _count < _options.MaxPackets && _bytes + length <= _options.MaxBytes;

    /// <summary>Whether packets of another flow could be dropped to make room for <paramref name="length"/> bytes of
    /// <paramref name="flow"/> (without dropping anything).</summary>
    private bool CanEvictFor(int flow, int length) => _flows.Length != 0 && CanEvict(Fattest(), flow, length);

    /// <summary>RFC 8290 4.1.3 drops from the fattest flow; here only when that is not the arriving packet's own flow
    /// and holds more than that flow would with the packet, so a flow is never cut below a sparser one.</summary>
    private bool CanEvict(int fattest, int flow, int length) =>
        fattest >= 0 && fattest != flow && _flows[fattest].Bytes > _flows[flow].Bytes + length;

    /// <summary>The flow holding the most bytes, or -1 when the queue is empty. A scan: FlowQueues is small, and it
    /// only runs when the queue is full.</summary>
    private int Fattest()
    {
        int best = -1;
        int bytes = 0;
        for (int i = 0; i < _flows.Length; i++)
        {
            if (_flows[i].Bytes > bytes)
            {
                bytes = _flows[i].Bytes;
                best = i;
            }
        }
        return best;
    }

    private void ReportFull(int count) => _metrics?.Dropped(TunnelDropReason.QueueFull, count);

    private void ReportDelay(int count)
    {
        // _droppedDelay was counted under the lock.
        _metrics?.Dropped(TunnelDropReason.QueueDelay, count);
    }

    /// <summary>
    /// RFC 8290 4.2: the first flow of the new list, else of the old list; a flow whose deficit is spent gets another
    /// quantum and goes to the end of the old list; CoDel runs on the chosen flow; an empty new flow moves to the end
    /// of the old list (so it cannot come back as new at once), an empty old flow leaves the lists.
    /// </summary>
    private bool DequeueLocked(out EgressPacket packet, long nowMs, out int flow, out long enqueuedAtMs, out int dropped)
    {
        dropped = 0;
        while (true)
        {
            bool isNew = _newHead >= 0;
            flow = isNew ? _newHead : _oldHead;
            if (flow < 0)
            {
                packet = default;
                enqueuedAtMs = 0;
                return false;
            }
            ref Flow f = ref _flows[flow];
            if (f.Deficit <= 0)
            {
                f.Deficit += QuantumBytes;
                MoveHeadToOld(isNew);
                continue;
            }
            if (CoDelDequeue(flow, out packet, nowMs, out enqueuedAtMs, ref dropped))
            {
                f.Deficit -= packet.Length;
                return true;
            }
            if (isNew)
            {
                MoveHeadToOld(isNew: true);
            }
            else
            {
                _oldHead = f.NextInList;
                if (_oldHead < 0)
                {
                    _oldTail = -1;
                }
                f.NextInList = -1;
                f.List = NoList;
            }
        }
    }

    private void MoveHeadToOld(bool isNew)
    {
        int flow;
        if (isNew)
        {
            flow = _newHead;
            _newHead = _flows[flow].NextInList;
            if (_newHead < 0)
            {
                _newTail = -1;
            }
        }
        else
        {
            flow = _oldHead;
            if (_oldHead == _oldTail)
            {
                return; // the only old flow: it stays where it is
            }
            _oldHead = _flows[flow].NextInList;
        }
        Append(ref _oldHead, ref _oldTail, flow, OldList);
    }

    private void Append(ref int head, ref int tail, int flow, int list)
    {
        ref Flow f = ref _flows[flow];
        f.NextInList = -1;
        f.List = list;
        if (tail < 0)
        {
            head = flow;
        }
        else
        {
            _flows[tail].NextInList = flow;
        }
        tail = flow;
    }

    /// <summary>RFC 8289 5.5 dequeue on one flow, with dodequeue (5.4) as <see cref="DoDequeue"/>.</summary>
    private bool CoDelDequeue(int flow, out EgressPacket packet, long nowMs, out long enqueuedAtMs, ref int dropped)
    {
        ref Flow f = ref _flows[flow];
        if (!_options.CoDel)
        {
            if (f.Count == 0)
            {
                packet = default;
                enqueuedAtMs = 0;
                return false;
            }
            enqueuedAtMs = _slots[f.Head].EnqueuedAtMs;
            packet = TakeFromFlow(flow);
            return true;
        }

        bool okToDrop = DoDequeue(flow, out packet, nowMs, out enqueuedAtMs, out bool got);
        if (!got)
        {
            f.Dropping = false;
            return false;
        }
        if (f.Dropping)
        {
            if (!okToDrop)
            {
                f.Dropping = false;
            }
            while (f.Dropping && nowMs >= f.DropNextMs)
            {
                packet.Return();
                dropped++;
                _droppedDelay++;
                f.DropCount++;
                okToDrop = DoDequeue(flow, out packet, nowMs, out enqueuedAtMs, out got);
                if (!got)
                {
                    f.Dropping = false;
                    break;
                }
                if (!okToDrop)
                {
                    f.Dropping = false;
                }
                else
                {
                    f.DropNextMs = ControlLaw(f.DropNextMs, f.DropCount);
                }
            }
        }
        else if (okToDrop)
        {
            packet.Return();
            dropped++;
            _droppedDelay++;
            okToDrop = DoDequeue(flow, out packet, nowMs, out enqueuedAtMs, out got);
            f.Dropping = true;
            int delta = f.DropCount - f.LastDropCount;
            f.DropCount = delta > 1 && nowMs - f.DropNextMs < 16L * _options.IntervalMs ? delta : 1;
            f.DropNextMs = ControlLaw(nowMs, f.DropCount);
            f.LastDropCount = f.DropCount;
        }
        return got;
    }

    /// <summary>RFC 8289 5.4: takes the flow's head and says whether it has been above target for an interval.</summary>
    private bool DoDequeue(int flow, out EgressPacket packet, long nowMs, out long enqueuedAtMs, out bool got)
    {
        ref Flow f = ref _flows[flow];
        if (f.Count == 0)
        {
            f.FirstAboveTimeMs = 0;
            packet = default;
            enqueuedAtMs = 0;
            got = false;
            return false;
        }
        enqueuedAtMs = _slots[f.Head].EnqueuedAtMs;
        long sojourn = nowMs - enqueuedAtMs;
        packet = TakeFromFlow(flow);
        got = true;
        // Below target, or too little left to matter (RFC 8289 uses "bytes <= MTU"): not a standing queue.
        if (sojourn < _options.TargetDelayMs || _bytes <= packet.Length)
        {
            f.FirstAboveTimeMs = 0;
            return false;
        }
        if (f.FirstAboveTimeMs == 0)
        {
            f.FirstAboveTimeMs = nowMs + _options.IntervalMs;
            return false;
        }
        return nowMs >= f.FirstAboveTimeMs;
    }

    private long ControlLaw(long t, int count) => t + (long)(_options.IntervalMs / Math.Sqrt(count));

    /// <summary>Unlinks the head packet of <paramref name="flow"/> (which must hold one); its slot becomes free.</summary>
    private EgressPacket TakeFromFlow(int flow)
    {
        ref Flow f = ref _flows[flow];
        int slot = f.Head;
        ref Slot s = ref _slots[slot];
        f.Head = s.Next;
        if (f.Head < 0)
        {
            f.Tail = -1;
        }
        f.Count--;
        f.Bytes -= s.Length;
        _count--;
        _bytes -= s.Length;
        var packet = new EgressPacket(s.Buffer!, s.Length);
        s = new Slot { Next = _freeSlot };
        _freeSlot = slot;
        return packet;
    }

    /// <summary>Undoes a <see cref="TakeFromFlow"/> whose packet is still in the flow's lists (DequeueBatch).</summary>
    private void PutBack(int flow, EgressPacket packet, long enqueuedAtMs)
    {
        ref Flow f = ref _flows[flow];
        int slot = _freeSlot;
        _freeSlot = _slots[slot].Next;
        _slots[slot] = new Slot { Buffer = packet.Buffer, Length = packet.Length, EnqueuedAtMs = enqueuedAtMs, Next = f.Head };
        f.Head = slot;
        if (f.Tail < 0)
        {
            f.Tail = slot;
        }
        f.Count++;
        f.Bytes += packet.Length;
        f.Deficit += packet.Length;
        _count++;
        _bytes += packet.Length;
    }

    /// <summary>Doubles the slots (first 16), capped at MaxPackets; indexes stay valid, the new ones join the free
    /// list. Happens only while a backlog builds up, never in the steady state.</summary>
    private void Grow()
    {
        int capacity = Math.Min(_options.MaxPackets, Math.Max(InitialCapacity, _slots.Length * 2));
        var slots = new Slot[capacity];
        _slots.CopyTo(slots, 0);
        for (int i = capacity - 1; i >= _slots.Length; i--)
        {
            slots[i].Next = _freeSlot;
            _freeSlot = i;
        }
        _slots = slots;
    }

    /// <summary>One queued packet; free slots are linked through <see cref="Next"/> as well.</summary>
    private struct Slot
    {
        public byte[]? Buffer;
        public int Length;
        public long EnqueuedAtMs;
        public int Next;
    }

    /// <summary>One flow queue: its packets (a list of slots), DRR deficit, list membership and CoDel state.</summary>
    private struct Flow
    {
        public static readonly Flow Empty = new() { Head = -1, Tail = -1, NextInList = -1 };

        public int Head;
        public int Tail;
        public int Count;
        public int Bytes;
        public int Deficit;
        public int NextInList;
        public int List;
        public int DropCount;
        public int LastDropCount;
        public bool Dropping;
        public long FirstAboveTimeMs;
        public long DropNextMs;
    }

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        _cancellation.Dispose();
        _cancellation = default;
        return _signal.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _signal.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _signal.OnCompleted(continuation, state, token, flags);
}
