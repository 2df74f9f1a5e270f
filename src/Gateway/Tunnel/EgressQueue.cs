using System.Threading.Tasks.Sources;

namespace Gateway.Tunnel;

/// <summary>
/// The bounded queue of IP packets from the TUN device toward one client. Many producers (TUN reader threads)
/// copy packets in with <see cref="EnqueueFromTunnel"/>; one consumer (the session pump) waits with
/// <see cref="WaitToReadAsync"/> and takes many at once with <see cref="DequeueBatch(Span{EgressPacket}, int)"/>
/// so it can coalesce them into one TLS write. When full (bytes or packets) new packets are dropped (drop-tail);
/// with CoDel on, packets that stood longer than the target delay for an interval are dropped at the head
/// (RFC 8289). Only IP data goes here: control frames never wait behind data. Buffers come from
/// <see cref="PacketBufferPool"/>, which takes them back from whichever thread returns them; nothing is allocated per
/// packet. The ring itself starts small and doubles up to
/// <see cref="EgressQueueOptions.MaxPackets"/> only when that many packets stand in it at once, so an idle session
/// holds a few hundred bytes here instead of the whole bound (thousands of idle sessions per node).
/// </summary>
public sealed class EgressQueue : ITunnelSession, IValueTaskSource<bool>, IDisposable
{
    private const int InitialCapacity = 16;
    private readonly object _lock = new();
    private readonly EgressQueueOptions _options;
    private readonly TunnelMetrics? _metrics;
    private readonly TimeProvider _time;
    private Entry[] _ring;
    private int _head;
    private int _count;
    private long _bytes;
    private bool _completed;

    // RFC 8289 5 state.
    private long _firstAboveTimeMs;
    private long _dropNextMs;
    private int _dropCount;
    private int _lastDropCount;
    private bool _dropping;

    // The single waiting reader.
    private ManualResetValueTaskSourceCore<bool> _signal = new() { RunContinuationsAsynchronously = true };
    private bool _waiting;
    private CancellationTokenRegistration _cancellation;

    private long _droppedFull;
    private long _droppedDelay;

    public EgressQueue(EgressQueueOptions? options = null, TunnelMetrics? metrics = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new EgressQueueOptions();
        if (_options.MaxPackets < 1 || _options.MaxBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxPackets and MaxBytes must be positive.");
        }
        _metrics = metrics;
        _time = timeProvider ?? TimeProvider.System;
        _ring = [];
    }

    /// <summary>Slots the ring has now (grows on demand up to <see cref="EgressQueueOptions.MaxPackets"/>).</summary>
    internal int Capacity
    {
        get { lock (_lock) { return _ring.Length; } }
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

    /// <inheritdoc />
    public bool EnqueueFromTunnel(ReadOnlySpan<byte> packet) => TryEnqueue(packet, NowMs);

    /// <summary>Copies <paramref name="packet"/> into the queue; false (and counted) when it is full or completed.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> packet, long nowMs)
    {
        if (packet.Length > _options.MaxBytes)
        {
            _metrics?.Dropped(TunnelDropReason.TooBig);
            return false;
        }
        bool wake;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }
            if (_count == _options.MaxPackets || _bytes + packet.Length > _options.MaxBytes)
            {
                _droppedFull++;
                _metrics?.Dropped(TunnelDropReason.QueueFull);
                return false;
            }
            if (_count == _ring.Length)
            {
                Grow();
            }
            byte[] buffer = PacketBufferPool.Rent(Math.Max(packet.Length, 1));
            packet.CopyTo(buffer);
            _ring[(_head + _count) % _ring.Length] = new Entry(buffer, packet.Length, nowMs);
            _count++;
            _bytes += packet.Length;
            wake = _waiting;
            _waiting = false;
        }
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
        lock (_lock)
        {
            return DequeueLocked(out packet, nowMs);
        }
    }

    /// <summary>Takes up to <paramref name="destination"/>.Length packets and at most <paramref name="maxBytes"/>
    /// bytes (at least one packet if any is queued). Returns how many were written to <paramref name="destination"/>.</summary>
    public int DequeueBatch(Span<EgressPacket> destination, int maxBytes) => DequeueBatch(destination, maxBytes, NowMs);

    /// <summary><see cref="DequeueBatch(Span{EgressPacket}, int)"/> at time <paramref name="nowMs"/>.</summary>
    public int DequeueBatch(Span<EgressPacket> destination, int maxBytes, long nowMs)
    {
        int n = 0;
        long taken = 0;
        lock (_lock)
        {
            while (n < destination.Length && _count > 0)
            {
                if (n > 0 && taken + _ring[_head].Length > maxBytes)
                {
                    break;
                }
                if (!DequeueLocked(out EgressPacket packet, nowMs))
                {
                    break;
                }
                destination[n++] = packet;
                taken += packet.Length;
            }
        }
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
            while (_count > 0)
            {
                TakeHead().Return();
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

    private bool DequeueLocked(out EgressPacket packet, long nowMs)
    {
        if (!_options.CoDel)
        {
            if (_count == 0)
            {
                packet = default;
                return false;
            }
            packet = TakeHead();
            return true;
        }

        // RFC 8289 5.5 dequeue, with dodequeue (5.4) inlined as DoDequeue.
        bool okToDrop = DoDequeue(out packet, nowMs, out bool got);
        if (!got)
        {
            _dropping = false;
            return false;
        }
        int dropped = 0;
        if (_dropping)
        {
            if (!okToDrop)
            {
                _dropping = false;
            }
            while (_dropping && nowMs >= _dropNextMs)
            {
                packet.Return();
                dropped++;
                _dropCount++;
                okToDrop = DoDequeue(out packet, nowMs, out got);
                if (!got)
                {
                    _dropping = false;
                    break;
                }
                if (!okToDrop)
                {
                    _dropping = false;
                }
                else
                {
                    _dropNextMs = ControlLaw(_dropNextMs, _dropCount);
                }
            }
        }
        else if (okToDrop)
        {
            packet.Return();
            dropped++;
            okToDrop = DoDequeue(out packet, nowMs, out got);
            _dropping = true;
            int delta = _dropCount - _lastDropCount;
            _dropCount = delta > 1 && nowMs - _dropNextMs < 16L * _options.IntervalMs ? delta : 1;
            _dropNextMs = ControlLaw(nowMs, _dropCount);
            _lastDropCount = _dropCount;
        }
        if (dropped > 0)
        {
            _droppedDelay += dropped;
            _metrics?.Dropped(TunnelDropReason.QueueDelay, dropped);
        }
        return got;
    }

    /// <summary>RFC 8289 5.4: takes the head and says whether it has been above target for an interval.</summary>
    private bool DoDequeue(out EgressPacket packet, long nowMs, out bool got)
    {
        if (_count == 0)
        {
            _firstAboveTimeMs = 0;
            packet = default;
            got = false;
            return false;
        }
        long sojourn = nowMs - _ring[_head].EnqueuedAtMs;
        packet = TakeHead();
        got = true;
        // Below target, or too little left to matter (RFC 8289 uses "bytes <= MTU"): not a standing queue.
        if (sojourn < _options.TargetDelayMs || _bytes <= packet.Length)
        {
            _firstAboveTimeMs = 0;
            return false;
        }
        if (_firstAboveTimeMs == 0)
        {
            _firstAboveTimeMs = nowMs + _options.IntervalMs;
            return false;
        }
        return nowMs >= _firstAboveTimeMs;
    }

    private long ControlLaw(long t, int count) => t + (long)(_options.IntervalMs / Math.Sqrt(count));

    private EgressPacket TakeHead()
    {
        Entry entry = _ring[_head];
        _ring[_head] = default;
        _head = (_head + 1) % _ring.Length;
        _count--;
        _bytes -= entry.Length;
        return new EgressPacket(entry.Buffer!, entry.Length);
    }

    /// <summary>Doubles the ring (first 16 slots), capped at MaxPackets; the queued packets move to its start in order.
    /// Happens only while a backlog builds up, never in the steady state.</summary>
    private void Grow()
    {
        int capacity = Math.Min(_options.MaxPackets, Math.Max(InitialCapacity, _ring.Length * 2));
        var ring = new Entry[capacity];
        for (int i = 0; i < _count; i++)
        {
            ring[i] = _ring[(_head + i) % _ring.Length];
        }
        _ring = ring;
        _head = 0;
    }

    private readonly record struct Entry(byte[]? Buffer, int Length, long EnqueuedAtMs);

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
