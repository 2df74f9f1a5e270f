using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Gateway.Ppp;
using Gateway.Sstp;
using Gateway.Tunnel;
using Microsoft.Extensions.Logging;

namespace Gateway.Sessions;

/// <summary>
/// Drives one sans-I/O SSTP engine (server or client side) over a duplex pipe. Three activities share it: the receive
/// loop (peer -> engine -> host), the write loop (engine output, then queued IP packets, coalesced into records of up
/// to 16 KiB, each one TLS record and one write), and one timer armed at the engine's next deadline. Engine calls are
/// serialized by <see cref="Gate"/>; the IP data path (host's tunnel writes and the egress queue) does not take it.
/// When the connection's TLS stream is given, records are written to it directly (the write loop is then its only
/// writer); otherwise through the transport's output pipe, one flush per record.
/// </summary>
public sealed class SstpPump : IDisposable
{
    /// <summary>Bytes the receive loop or the write loop handles without waiting before it lets other queued work run (see ReceiveLoopAsync).</summary>
    internal const long FairShareBytes = 256 * 1024;

    private readonly IDuplexPipe _transport;
    private readonly Stream? _records;
    private readonly int _tlsReadBytes;
    private PipeReader _input;
    private readonly bool _separateTailRecord;
    private readonly SstpRecordBuffer _record = new();
    private readonly SstpSession _engine;
    private readonly ArrayBufferWriter<byte> _control;
    private readonly EgressQueue _egress;
    private readonly int _maxCoalesceBytes;
    private readonly TimeProvider _time;
    private readonly long _epoch;
    private readonly AsyncAutoResetSignal _signal = new();
    private readonly ITimer _timer;
    private ISstpPumpHost? _host;
    private long _scheduledDeadline = long.MaxValue;
    private long _downlinkBytes, _downlinkPackets;
    private string? _lostReason;

    // Write loop only: a queued packet that did not fit in the record being written (another record follows).
    private EgressPacket _carry;
    private bool _hasCarry;

    /// <param name="transport">Input: SSTP bytes from the peer. Output: used only when <paramref name="tls"/> is null.</param>
    /// <param name="tls">The connection's TLS stream to write records to, or null. Nothing else may write to it while the pump runs.</param>
    /// <param name="control">The buffer the engine was constructed to write into.</param>
    public SstpPump(IDuplexPipe transport, Stream? tls, SstpSession engine, ArrayBufferWriter<byte> control,
        EgressQueue egress, SessionOptions options, TimeProvider time)
    {
        _transport = transport;
        _input = transport.Input;
        _records = tls;
        _tlsReadBytes = options.TlsReadBytes;
        _separateTailRecord = options.SeparateTailRecord;
        _engine = engine;
        _control = control;
        _egress = egress;
        _maxCoalesceBytes = options.MaxCoalesceBytes;
        _time = time;
        _epoch = time.GetTimestamp();
        _timer = time.CreateTimer(static s => ((SstpPump)s!).OnTimerFired(), this, Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>Serializes every call into the engine.</summary>
    public object Gate { get; } = new();

    /// <summary>Monotonic milliseconds since the pump was created: the engines' clock.</summary>
    public long NowMs => (long)_time.GetElapsedTime(_epoch).TotalMilliseconds;

    /// <summary>IP packets and bytes written toward the peer.</summary>
    public long PacketsToPeer => Interlocked.Read(ref _downlinkPackets);

    public long BytesToPeer => Interlocked.Read(ref _downlinkBytes);

    /// <summary>True while the write loop holds a rented record array (only while data is being written).</summary>
    internal bool HoldsRecordBuffer => _record.IsRented;

    /// <summary>Why the transport was lost, if it was (null after a protocol-level close).</summary>
    public string? LostReason => Volatile.Read(ref _lostReason);

    /// <summary>Runs the engine until the call is over. <paramref name="start"/> starts the engine (under the lock).</summary>
    public async Task RunAsync(ISstpPumpHost host, Action<long> start, CancellationToken connectionClosed)
    {
        _host = host;
        TakeOverTlsReads();
        // Start first: a connection that is already closed runs the callback inside Register, and the engine must
        // leave Idle before it can be told the transport is gone (else Start would find it Closed and throw).
        Invoke(start);
        using CancellationTokenRegistration reg = connectionClosed.Register(
            static s => ((SstpPump)s!).ConnectionLost("connection closed"), this);
        Task writer = WriteLoopAsync();
        Task reader = ReceiveLoopAsync();
        try
        {
            await writer.ConfigureAwait(false);
        }
        finally
        {
            // The call is over (or the peer is gone): stop reading.
            _input.CancelPendingRead();
            await reader.ConfigureAwait(false);
            if (_input != _transport.Input)
            {
                // Our own reader over the TLS stream (TakeOverTlsReads); the connection's pipe is its owner's to complete.
                await _input.CompleteAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// With a TLS stream and <see cref="SessionOptions.TlsReadBytes"/> set, the receive loop reads the stream itself in
    /// reads of that size instead of through the connection's pipe (see the option). Bytes the pipe already holds
    /// (anything the peer sent after the HTTP request head) are read first, so nothing received is lost.
    /// </summary>
    private void TakeOverTlsReads()
    {
        if (_records is not { } tls || _tlsReadBytes <= 0)
        {
            return;
        }

        PipeReader original = _transport.Input;
        byte[] early = [];
        if (original.TryRead(out ReadResult buffered))
        {
            if (buffered.IsCompleted || buffered.IsCanceled)
            {
                // Closed already: keep the pipe, which reports it.
                original.AdvanceTo(buffered.Buffer.Start);
                return;
            }

            early = buffered.Buffer.ToArray();
            original.AdvanceTo(buffered.Buffer.End);
        }

        Stream source = early.Length == 0 ? tls : new PrefixedReadStream(early, tls);
        _input = PipeReader.Create(source, new StreamPipeReaderOptions(bufferSize: _tlsReadBytes,
            minimumReadSize: Math.Min(_tlsReadBytes, 16 * 1024), leaveOpen: true, useZeroByteReads: true));
    }

    /// <summary>Runs <paramref name="action"/> on the engine under the lock, then lets output and timers follow.</summary>
    public void Invoke(Action<long> action)
    {
        lock (Gate)
        {
            action(NowMs);
            AfterEngineCall();
        }

        _signal.Set();
    }

    /// <summary>Queues an IP packet toward the peer; false when the bounded queue dropped it (TCP-over-TCP: drop early).</summary>
    public bool EnqueueToPeer(ReadOnlySpan<byte> packet)
    {
        if (!_egress.EnqueueFromTunnel(packet))
        {
            return false;
        }

        _signal.Set();
        return true;
    }

    /// <summary>The transport failed or closed: end the call at once, sending nothing (MS-SSTP 3.1.5.1).</summary>
    public void ConnectionLost(string reason)
    {
        Interlocked.CompareExchange(ref _lostReason, reason, null);
        lock (Gate)
        {
            _engine.OnConnectionLost(reason);
        }

        _signal.Set();
    }

    public void Dispose()
    {
        _timer.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        PipeReader input = _input;
        byte[]? scratch = null;
        long runBytes = 0;
        try
        {
            while (true)
            {
                // Under a flood every read completes at once, so without this the loop would keep its thread-pool
                // thread for as long as the flood lasts: with fewer pool threads than flooding sessions (one per core)
                // the other sessions' continuations then waited for the pool to inject threads, 0.2-2 s of ping
                // latency through an idle session (docs/benchmarks.md section 11). After FairShareBytes read without
                // waiting, the batch ends and the loop requeues itself behind the work already queued.
                if (runBytes >= FairShareBytes)
                {
                    runBytes = 0;
                    _host!.OnIpBatchEnd();
                    await Task.Yield();
                }

                ReadResult result;
                try
                {
                    // A batch (the packets the host may merge into one TUN write) runs on while the next read completes
                    // at once: SslStream hands over one 16 KiB record per read, so a batch per read held ~11 packets of
                    // 1400 B, where a super-packet takes up to 46. When the next read would wait, the batch ends first,
                    // so nothing the host holds waits for more data (docs/benchmarks.md section 10).
                    ValueTask<ReadResult> read = input.ReadAsync();
                    if (!read.IsCompleted)
                    {
                        _host!.OnIpBatchEnd();
                        runBytes = 0;
                    }

                    result = await read.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException
                                               or InvalidOperationException)
                {
                    ConnectionLost("read failed: " + ex.Message);
                    return;
                }

                if (result.IsCanceled)
                {
                    return;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                long available = buffer.Length;
                SstpParseError framingError = SstpParseError.None;
                while (true)
                {
                    SstpReadStatus status = SstpFrameReader.TryReadPacket(ref buffer,
                        out ReadOnlySequence<byte> packet, out SstpParseError error);
                    if (status == SstpReadStatus.NeedMoreData)
                    {
                        break;
                    }

                    if (status == SstpReadStatus.Error)
                    {
                        framingError = error;
                        break;
                    }

                    Span<byte> span;
                    if (packet.IsSingleSegment)
                    {
                        // The pipe's memory is ours until AdvanceTo; the data path clamps MSS in place.
                        span = MemoryMarshal.AsMemory(packet.First).Span;
                    }
                    else
                    {
                        scratch ??= new byte[SstpConstants.MaxPacketLength];
                        packet.CopyTo(scratch);
                        span = scratch.AsSpan(0, (int)packet.Length);
                    }

                    HandlePacket(span);
                }

                runBytes += available - buffer.Length;
                input.AdvanceTo(buffer.Start, buffer.End);
                if (framingError != SstpParseError.None)
                {
                    // MS-SSTP 3.1.5.1: a framing error drops the connection without sending anything.
                    ConnectionLost("framing error: " + framingError);
                    return;
                }

                if (result.IsCompleted)
                {
                    ConnectionLost("peer closed the connection");
                    return;
                }

                lock (Gate)
                {
                    if (_engine.IsClosed)
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            _host!.OnIpBatchEnd();
            _signal.Set();
        }
    }

    private void HandlePacket(Span<byte> packet)
    {
        SstpInput input;
        lock (Gate)
        {
            input = _engine.Receive(packet, NowMs);
            AfterEngineCall();
        }

        if (input.Kind is SstpInputKind.IPv4 or SstpInputKind.IPv6)
        {
            _host!.OnIpPacket(input.Kind, packet.Slice(input.Offset, input.Length));
        }
        else if (input.Kind == SstpInputKind.Close || _control.WrittenCount > 0)
        {
            _signal.Set();
        }
    }

    private async Task WriteLoopAsync()
    {
        EgressPacket[] batch = new EgressPacket[64];
        long runBytes = 0;
        try
        {
            while (true)
            {
                // As in ReceiveLoopAsync: a queue that never runs dry would keep this thread-pool thread for good.
                ValueTask signalled = _signal.WaitAsync();
                if (!signalled.IsCompleted)
                {
                    runBytes = 0;
                }
                else if (runBytes >= FairShareBytes)
                {
                    runBytes = 0;
                    await Task.Yield();
                }

                await signalled.ConfigureAwait(false);
                bool closed, dataAllowed;
                lock (Gate)
                {
                    if (_control.WrittenCount > 0)
                    {
                        _record.AppendPackets(_control.WrittenSpan);
                        _control.ResetWrittenCount();
                    }

                    closed = _engine.IsClosed;
                    dataAllowed = _engine.DataAllowed;
                }

                int budget = _maxCoalesceBytes;
                bool more;
                do
                {
                    if (dataAllowed)
                    {
                        FillRecord(batch, ref budget);
                    }

                    // A carried packet means another record follows at once; otherwise this record ends the burst.
                    more = dataAllowed && _hasCarry;
                    if (!await WriteRecordAsync(lastOfBurst: !more).ConfigureAwait(false))
                    {
                        return;
                    }
                }
                while (more && budget > 0);

                runBytes += _maxCoalesceBytes - budget;
                if (closed)
                {
                    return;
                }

                if (more)
                {
                    // Budget used up with data left: take the next turn (control frames first), keep the array.
                    _signal.Set();
                }
                else
                {
                    _record.Release();
                }
            }
        }
        finally
        {
            _record.Release();
            if (_hasCarry)
            {
                _hasCarry = false;
                _carry.Return();
            }
        }
    }

    /// <summary>
    /// Moves queued IP packets into the record as SSTP data packets until it is full, the queue is empty, or the
    /// budget is spent. When it stops with packets left, one of them is taken out as the carry: the proof that another
    /// record follows this one.
    /// </summary>
    private void FillRecord(EgressPacket[] batch, ref int budget)
    {
        if (_hasCarry)
        {
            if (!TryAppend(_carry))
            {
                return;
            }

            budget -= _carry.Length + SstpFrameWriter.DataPrefixLength;
            _hasCarry = false;
            _carry.Return();
        }

        while (true)
        {
            if (budget <= 0)
            {
                TakeCarry();
                return;
            }

            // DequeueBatch counts IP bytes; leave room for every packet's 8-byte prefix. Only the first packet of a
            // batch can then fail to fit (it is taken whatever the limit), and it becomes the carry.
            int maxBytes = Math.Max(0, _record.Room - batch.Length * SstpFrameWriter.DataPrefixLength);
            int n = _egress.DequeueBatch(batch, maxBytes);
            if (n == 0)
            {
                return;
            }

            for (int i = 0; i < n; i++)
            {
                EgressPacket p = batch[i];
                batch[i] = default;
                if (TryAppend(p))
                {
                    budget -= p.Length + SstpFrameWriter.DataPrefixLength;
                    p.Return();
                }
                else if (!_hasCarry)
                {
                    _carry = p;
                    _hasCarry = true;
                }
                else
                {
                    // Not reachable (see above); never leak the buffer.
                    p.Return();
                }
            }

            if (_hasCarry)
            {
                return;
            }
        }
    }

    /// <summary>Takes the next sendable packet out of the queue as the carry, if there is one.</summary>
    private void TakeCarry()
    {
        while (!_hasCarry && _egress.TryDequeue(out EgressPacket p))
        {
            if (IsSendable(p.Length))
            {
                _carry = p;
                _hasCarry = true;
            }
            else
            {
                p.Return();
            }
        }
    }

    /// <summary>An IP packet of this length fits one SSTP data packet (anything else is dropped, never written).</summary>
    private static bool IsSendable(int length) => length is > 0 and <= SstpFrameWriter.MaxIpPacketLength;

    /// <summary>Appends one IP packet as an SSTP data packet; false when the record has no room for it.</summary>
    private bool TryAppend(EgressPacket p)
    {
        ReadOnlySpan<byte> ip = p.Span;
        if (!IsSendable(ip.Length))
        {
            // Unsendable: consumed without a write (the caller returns the buffer).
            return true;
        }

        int total = ip.Length + SstpFrameWriter.DataPrefixLength;
        if (total > _record.Room)
        {
            return false;
        }

        ushort protocol = (ip[0] >> 4) == 6 ? PppProtocol.IPv6 : PppProtocol.IPv4;
        Span<byte> span = _record.AppendPacket(total);
        SstpFrameWriter.WriteDataPrefix(span, protocol, ip.Length);
        ip.CopyTo(span[SstpFrameWriter.DataPrefixLength..]);
        Interlocked.Increment(ref _downlinkPackets);
        Interlocked.Add(ref _downlinkBytes, ip.Length);
        return true;
    }

    /// <summary>
    /// Writes the record. When it ends a burst (<paramref name="lastOfBurst"/>) and holds several packets, its last
    /// packet goes in a TLS record of its own (<see cref="SessionOptions.SeparateTailRecord"/>): sstpc 1.0.18 reads
    /// one SSTP packet per wakeup of its socket (sstp-stream.c: SSL_read of one packet, then a new EV_READ on the
    /// socket), so packets left in OpenSSL's buffer after the last record of a burst wait for the next record to
    /// arrive - 3 s for a CHAP Challenge sent with the LCP Configure-Ack, until the retransmission. With a
    /// one-packet record last, every earlier record is followed by one still in the kernel's socket buffer, the
    /// socket stays readable and the client drains everything.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> WriteRecordAsync(bool lastOfBurst)
    {
        int used = _record.Used;
        if (used == 0)
        {
            return true;
        }

        int split = lastOfBurst && _separateTailRecord ? _record.LastPacketStart : 0;
        bool ok = split == 0
            ? await SendAsync(_record.Slice(0, used)).ConfigureAwait(false)
            : await SendAsync(_record.Slice(0, split)).ConfigureAwait(false)
              && await SendAsync(_record.Slice(split, used)).ConfigureAwait(false);
        _record.Clear();
        return ok;
    }

    /// <summary>
    /// One write: straight to the TLS stream when there is one (one TLS record per write of up to 16 KiB), else
    /// through the transport pipe with its own flush (TLS offloaded, or tests).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            if (_records is { } stream)
            {
                await stream.WriteAsync(bytes).ConfigureAwait(false);
                return true;
            }

            FlushResult flush = await _transport.Output.WriteAsync(bytes).ConfigureAwait(false);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                ConnectionLost("peer stopped reading");
                return false;
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException
                                       or InvalidOperationException or NotSupportedException)
        {
            ConnectionLost("write failed: " + ex.Message);
            return false;
        }
    }

    private void OnTimerFired()
    {
        lock (Gate)
        {
            _scheduledDeadline = long.MaxValue;
            _engine.OnTimer(NowMs);
            AfterEngineCall();
        }

        _signal.Set();
    }

    /// <summary>Lets the host handle PPP's events, then re-arms the timer. Caller holds the lock.</summary>
    private void AfterEngineCall()
    {
        _host?.AfterEngineCall(NowMs);
        long next = _engine.NextDeadlineMs;
        if (next != _scheduledDeadline)
        {
            _scheduledDeadline = next;
            TimeSpan due = next == long.MaxValue
                ? Timeout.InfiniteTimeSpan
                : TimeSpan.FromMilliseconds(Math.Max(0, next - NowMs));
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }
}
