using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using Gateway.Ppp;
using Gateway.Sstp;
using Gateway.Tunnel;
using Microsoft.Extensions.Logging;

namespace Gateway.Sessions;

/// <summary>
/// Drives one sans-I/O SSTP engine (server or client side) over a duplex pipe. Three activities share it: the receive
/// loop (peer -> engine -> host), the write loop (engine output, then queued IP packets, coalesced into few flushes so
/// TLS writes large records), and one timer armed at the engine's next deadline. Engine calls are serialized by
/// <see cref="Gate"/>; the IP data path (host's tunnel writes and the egress queue) does not take it.
/// </summary>
public sealed class SstpPump : IDisposable
{
    private readonly IDuplexPipe _transport;
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

    /// <param name="control">The buffer the engine was constructed to write into.</param>
    public SstpPump(IDuplexPipe transport, SstpSession engine, ArrayBufferWriter<byte> control, EgressQueue egress,
        int maxCoalesceBytes, TimeProvider time)
    {
        _transport = transport;
        _engine = engine;
        _control = control;
        _egress = egress;
        _maxCoalesceBytes = maxCoalesceBytes;
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

    /// <summary>Why the transport was lost, if it was (null after a protocol-level close).</summary>
    public string? LostReason => Volatile.Read(ref _lostReason);

    /// <summary>Runs the engine until the call is over. <paramref name="start"/> starts the engine (under the lock).</summary>
    public async Task RunAsync(ISstpPumpHost host, Action<long> start, CancellationToken connectionClosed)
    {
        _host = host;
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
            _transport.Input.CancelPendingRead();
            await reader.ConfigureAwait(false);
        }
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
        PipeReader input = _transport.Input;
        byte[]? scratch = null;
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync().ConfigureAwait(false);
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

                _host!.OnIpBatchEnd();
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
        PipeWriter output = _transport.Output;
        EgressPacket[] batch = new EgressPacket[64];
        while (true)
        {
            await _signal.WaitAsync().ConfigureAwait(false);
            bool closed, dataAllowed;
            lock (Gate)
            {
                if (_control.WrittenCount > 0)
                {
                    output.Write(_control.WrittenSpan);
                    _control.ResetWrittenCount();
                }

                closed = _engine.IsClosed;
                dataAllowed = _engine.DataAllowed;
            }

            if (dataAllowed)
            {
                WriteQueuedPackets(output, batch);
            }

            FlushResult flush;
            try
            {
                flush = await output.FlushAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException
                                           or InvalidOperationException)
            {
                ConnectionLost("write failed: " + ex.Message);
                return;
            }

            if (closed)
            {
                return;
            }

            if (flush.IsCompleted || flush.IsCanceled)
            {
                ConnectionLost("peer stopped reading");
                return;
            }

            if (dataAllowed && _egress.Count > 0)
            {
                _signal.Set();
            }
        }
    }

    /// <summary>Moves queued IP packets into the pipe as SSTP data packets, up to one coalescing budget.</summary>
    private void WriteQueuedPackets(PipeWriter output, EgressPacket[] batch)
    {
        int budget = _maxCoalesceBytes;
        while (budget > 0)
        {
            int n = _egress.DequeueBatch(batch, budget);
            if (n == 0)
            {
                return;
            }

            for (int i = 0; i < n; i++)
            {
                EgressPacket p = batch[i];
                ReadOnlySpan<byte> ip = p.Span;
                if (ip.Length is > 0 and <= SstpFrameWriter.MaxIpPacketLength)
                {
                    ushort protocol = (ip[0] >> 4) == 6 ? PppProtocol.IPv6 : PppProtocol.IPv4;
                    int total = ip.Length + SstpFrameWriter.DataPrefixLength;
                    Span<byte> span = output.GetSpan(total);
                    SstpFrameWriter.WriteDataPrefix(span, protocol, ip.Length);
                    ip.CopyTo(span[SstpFrameWriter.DataPrefixLength..]);
                    output.Advance(total);
                    Interlocked.Increment(ref _downlinkPackets);
                    Interlocked.Add(ref _downlinkBytes, ip.Length);
                    budget -= total;
                }

                p.Return();
                batch[i] = default;
            }
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
