using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Ppp;
using Gateway.Sessions;
using Gateway.Sstp;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Sstp;
using Gateway.Tunnel;

namespace Gateway.Tests.Sessions;

public sealed class SstpPumpTests
{
    /// <summary>
    /// Seen with the real sstpc in the interop VM: the client dropped the connection right after the HTTP 200, so
    /// the connection-closed token was already cancelled when the pump started. The session then logged
    /// "unexpected error InvalidOperationException: Start was already called." instead of ending quietly.
    /// </summary>
    [Fact]
    public async Task A_connection_closed_before_the_pump_starts_ends_the_call_without_an_error()
    {
        var control = new ArrayBufferWriter<byte>();
        var engine = new SstpServerSession(new SstpOptions(), new byte[20], new byte[32], control, new TestLogger());
        engine.AttachPpp(new FakePppEndpoint());
        var fromPeer = new Pipe();
        var toPeer = new Pipe();
        using var pump = new SstpPump(new Duplex(fromPeer.Reader, toPeer.Writer), null, engine, control, new EgressQueue(), new SessionOptions(), TimeProvider.System);
        using var closed = new CancellationTokenSource();
        await closed.CancelAsync();

        await pump.RunAsync(new NoHost(), now => engine.Start(now), closed.Token).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(SstpState.Closed, engine.State);
        Assert.Equal("connection closed", pump.LostReason);
    }

    // PPP frames as the engine writes them (SSTP data packets): an LCP Configure-Ack and a CHAP Challenge, the pair
    // the gateway sends when LCP opens; and an SSTP ECHO_REQUEST control message (MS-SSTP 2.2.11).
    private static readonly byte[] LcpConfigureAck = [0x10, 0x00, 0x00, 0x0C, 0xFF, 0x03, 0xC0, 0x21, 0x02, 0x01, 0x00, 0x04];
    private static readonly byte[] ChapChallenge = [0x10, 0x00, 0x00, 0x11, 0xFF, 0x03, 0xC2, 0x23, 0x01, 0x07, 0x00, 0x09, 0x04, 0xAA, 0xBB, 0xCC, 0xDD];
    private static readonly byte[] EchoRequest = [0x10, 0x01, 0x00, 0x08, 0x00, 0x05, 0x00, 0x00];

    [Fact]
    public async Task Queued_packets_go_out_as_one_bulk_write_then_one_write_of_exactly_the_last_packet()
    {
        List<byte[]> writes = await RunBurstAsync([], Ip(5, 100));

        Assert.Equal(2, writes.Count);
        Assert.Equal([0, 1, 2, 3], Markers(writes[0]));
        Assert.Equal([4], Markers(writes[1]));
        Assert.Equal(108, writes[1].Length);
    }

    [Fact]
    public async Task A_single_packet_is_a_single_write()
    {
        List<byte[]> writes = await RunBurstAsync([], Ip(1, 1400));

        byte[] only = Assert.Single(writes);
        Assert.Equal(1408, only.Length);
        Assert.Equal([0], Markers(only));
    }

    [Fact]
    public async Task Control_frames_lead_the_bulk_write_and_the_last_data_packet_goes_alone()
    {
        List<byte[]> writes = await RunBurstAsync([LcpConfigureAck, EchoRequest], Ip(3, 200));

        Assert.Equal(2, writes.Count);
        Assert.Equal([.. LcpConfigureAck, .. EchoRequest], writes[0][..20]);
        Assert.Equal([-1, -1, 0, 1], Markers(writes[0]));
        Assert.Equal([2], Markers(writes[1]));
    }

    /// <summary>The case behind the 3 s CHAP delay with sstpc: Configure-Ack and Challenge written together.</summary>
    [Fact]
    public async Task Two_control_packets_without_data_are_two_writes()
    {
        List<byte[]> writes = await RunBurstAsync([LcpConfigureAck, ChapChallenge], []);

        Assert.Equal(2, writes.Count);
        Assert.Equal(LcpConfigureAck, writes[0]);
        Assert.Equal(ChapChallenge, writes[1]);
    }

    [Fact]
    public async Task A_burst_larger_than_a_record_goes_out_in_writes_of_at_most_16_KiB_and_only_the_last_holds_one_packet()
    {
        // 60 x 1408 bytes: more than one turn's budget (64 KiB), so the write loop also continues across turns.
        List<byte[]> writes = await RunBurstAsync([], Ip(60, 1400));

        Assert.All(writes, w => Assert.InRange(w.Length, 1, SstpRecordBuffer.Capacity));
        Assert.All(writes[..^1], w => Assert.True(Markers(w).Count > 1));
        Assert.Single(Markers(writes[^1]));
        Assert.Equal(Enumerable.Range(0, 60), writes.SelectMany(Markers));
        Assert.InRange(writes.Count, 6, 8); // 11 packets per 16 KiB record, plus the lone tail
    }

    [Fact]
    public async Task A_small_turn_budget_spreads_a_burst_over_many_turns_and_keeps_the_tail_rule()
    {
        List<byte[]> writes = await RunBurstAsync([], Ip(30, 1400), new SessionOptions { MaxCoalesceBytes = 3000, TlsReadBytes = 0 });

        Assert.Equal(Enumerable.Range(0, 30), writes.SelectMany(Markers));
        Assert.Single(Markers(writes[^1]));
        Assert.All(writes[..^1], w => Assert.True(Markers(w).Count > 1));
    }

    /// <summary>The engine closes while packets wait across turns: the write loop ends and gives every buffer back.</summary>
    [Fact]
    public async Task A_call_that_closes_with_packets_still_queued_ends_the_write_loop()
    {
        var controlOutput = new ArrayBufferWriter<byte>();
        var engine = new ScriptedSstpSession(controlOutput);
        var egress = new EgressQueue(new EgressQueueOptions { CoDel = false, MaxPackets = 4096, MaxBytes = 1 << 20, FlowQueues = OneFifo });
        foreach (byte[] p in Ip(300, 1400))
        {
            Assert.True(egress.TryEnqueue(p, 0));
        }

        var recording = new RecordingStream { WriteDelay = TimeSpan.FromMilliseconds(5) };
        using var pump = new SstpPump(new Duplex(new Pipe().Reader, new Pipe().Writer), recording, engine, controlOutput,
            egress, new SessionOptions { MaxCoalesceBytes = 3000, TlsReadBytes = 0 }, TimeProvider.System);
        Task run = pump.RunAsync(new NoHost(), _ => engine.Connect(), CancellationToken.None);
        Assert.True(await Poll.UntilAsync(() => recording.Writes.Count >= 2, TimeSpan.FromSeconds(10)));

        pump.ConnectionLost("test over");

        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(pump.HoldsRecordBuffer);
        Assert.True(egress.Count > 0); // it stopped, it did not drain the queue
    }

    [Fact]
    public async Task With_SeparateTailRecord_off_a_burst_is_one_write()
    {
        List<byte[]> writes = await RunBurstAsync([LcpConfigureAck], Ip(4, 100), new SessionOptions { SeparateTailRecord = false, TlsReadBytes = 0 });

        byte[] only = Assert.Single(writes);
        Assert.Equal([-1, 0, 1, 2, 3], Markers(only));
    }

    [Fact]
    public async Task Without_a_TLS_stream_the_pipe_gets_the_same_boundaries_as_flushes()
    {
        List<byte[]> writes = await RunBurstAsync([EchoRequest], Ip(3, 100), viaPipe: true);

        Assert.Equal(2, writes.Count);
        Assert.Equal([-1, 0, 1], Markers(writes[0]));
        Assert.Equal([2], Markers(writes[1]));
    }

    /// <summary>
    /// Models sstpc 1.0.18 over a real TLS connection on loopback: OpenSSL without read-ahead takes one record at a
    /// time from the socket (<see cref="ExactRecordStream"/>), and sstpc reads one SSTP packet per readable event
    /// of the socket (sstp-stream.c: SSL_read of one packet, then EV_READ re-armed on the socket). With the tail
    /// rule every packet of a control-and-data burst arrives without later traffic.
    /// </summary>
    [Fact]
    public async Task Over_TLS_a_reader_that_waits_for_the_socket_between_packets_gets_the_whole_burst()
    {
        (int received, bool stalled) = await ReadBurstLikeSstpcAsync(new SessionOptions());

        Assert.False(stalled);
        Assert.Equal(7, received);
    }

    /// <summary>The same reader without the tail rule: the burst is one record and the reader stalls after its first packet.</summary>
    [Fact]
    public async Task Over_TLS_without_the_tail_rule_the_same_reader_stalls_after_the_first_packet()
    {
        (int received, bool stalled) = await ReadBurstLikeSstpcAsync(new SessionOptions { SeparateTailRecord = false });

        Assert.True(stalled);
        Assert.Equal(1, received);
    }

    [Fact]
    public async Task Over_TLS_the_pump_reads_whole_records_after_the_bytes_the_pipe_already_held()
    {
        (Socket serverSocket, Socket clientSocket, SslStream serverTls, SslStream clientTls) = await TlsPairAsync();
        using (serverSocket)
        using (clientSocket)
        await using (serverTls)
        await using (clientTls)
        {
            List<byte[]> ip = Ip(40, 1400);
            // Packets 0-2 arrived with the HTTP head: the connection's pipe holds them when the pump starts.
            var early = new Pipe();
            foreach (byte[] p in ip.Take(3))
            {
                early.Writer.Write(DataPacket(p));
            }
            await early.Writer.FlushAsync();

            var controlOutput = new ArrayBufferWriter<byte>();
            var engine = new ScriptedSstpSession(controlOutput);
            var host = new RecordingHost();
            using var pump = new SstpPump(new Duplex(early.Reader, new Pipe().Writer), serverTls, engine, controlOutput,
                new EgressQueue(), new SessionOptions(), TimeProvider.System);
            Task run = pump.RunAsync(host, engine.ConnectWithPpp, CancellationToken.None);

            // The rest in writes of 11 packets: one TLS record each (11 x 1408 B < 16 KiB).
            foreach (byte[][] chunk in ip.Skip(3).Chunk(11))
            {
                await clientTls.WriteAsync(chunk.SelectMany(DataPacket).ToArray());
            }

            Assert.True(await Poll.UntilAsync(() => host.Count >= ip.Count, TimeSpan.FromSeconds(10)));
            pump.ConnectionLost("test over");
            await run.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal(ip, host.Packets);
            // Kestrel's own TLS pipe would have delivered at most 4 KiB (2 packets of 1408 B) per read.
            Assert.True(host.LargestBatch >= 11, $"largest batch {host.LargestBatch}");
        }
    }

    [Fact]
    public async Task Over_TLS_a_batch_spans_the_records_already_received_and_ends_when_the_next_read_would_wait()
    {
        // The server's SslStream reads one record per read of its socket, so every pump read returns one record (as
        // when records arrive one by one), and the next read completes at once while records are waiting.
        (Socket serverSocket, Socket clientSocket, SslStream serverTls, SslStream clientTls) =
            await TlsPairAsync(serverReadsOneRecordAtATime: true);
        using (serverSocket)
        using (clientSocket)
        await using (serverTls)
        await using (clientTls)
        {
            // Four records of 11 packets each are in the server's socket before the pump reads anything.
            List<byte[]> ip = Ip(44, 1400);
            foreach (byte[][] chunk in ip.Chunk(11))
            {
                await clientTls.WriteAsync(chunk.SelectMany(DataPacket).ToArray());
            }
            Assert.True(await Poll.UntilAsync(() => serverSocket.Available >= 4 * 11 * 1408, TimeSpan.FromSeconds(10)));

            var controlOutput = new ArrayBufferWriter<byte>();
            var engine = new ScriptedSstpSession(controlOutput);
            var host = new RecordingHost();
            using var pump = new SstpPump(new Duplex(new Pipe().Reader, new Pipe().Writer), serverTls, engine, controlOutput,
                new EgressQueue(), new SessionOptions(), TimeProvider.System);
            Task run = pump.RunAsync(host, engine.ConnectWithPpp, CancellationToken.None);

            // The batch ends while the connection stays open: nothing is held back waiting for more data.
            Assert.True(await Poll.UntilAsync(() => host.BatchedPackets == ip.Count, TimeSpan.FromSeconds(10)),
                $"{host.BatchedPackets} of {ip.Count} packets in ended batches");
            Assert.Equal(ip, host.Packets);
            // One batch per SslStream read would hold at most one record (11 packets).
            Assert.True(host.LargestBatch > 11, $"largest batch {host.LargestBatch}");

            pump.ConnectionLost("test over");
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task A_flood_that_never_makes_the_reader_wait_still_ends_its_batch_every_fair_share()
    {
        // Every read of a MemoryStream completes at once, like a TLS connection under a flood. The loop must still
        // end its batch and requeue itself every FairShareBytes (so other sessions' work runs on its thread); before,
        // the whole flood was one batch and the loop kept its thread until the stream ran dry.
        List<byte[]> ip = Ip(760, 1400); // ~1 MiB of SSTP data packets
        using var records = new MemoryStream(ip.SelectMany(DataPacket).ToArray());
        var controlOutput = new ArrayBufferWriter<byte>();
        var engine = new ScriptedSstpSession(controlOutput);
        var host = new RecordingHost();
        using var pump = new SstpPump(new Duplex(new Pipe().Reader, new Pipe().Writer), records, engine, controlOutput,
            new EgressQueue(), new SessionOptions(), TimeProvider.System);
        await pump.RunAsync(host, engine.ConnectWithPpp, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ip, host.Packets);
        int perShare = (int)(SstpPump.FairShareBytes / (1400 + SstpFrameWriter.DataPrefixLength));
        int perRead = new SessionOptions().TlsReadBytes / (1400 + SstpFrameWriter.DataPrefixLength) + 1;
        Assert.True(host.LargestBatch <= perShare + perRead, $"largest batch {host.LargestBatch}, fair share {perShare} + one read {perRead}");
    }

    [Fact]
    public async Task PrefixedReadStream_returns_the_prefix_first_then_the_inner_stream()
    {
        using var inner = new MemoryStream([4, 5, 6]);
        using var stream = new PrefixedReadStream([1, 2, 3], inner);
        byte[] buffer = new byte[2];
        Assert.Equal(0, stream.Read(Span<byte>.Empty));
        Assert.Equal(2, stream.Read(buffer));
        Assert.Equal(new byte[] { 1, 2 }, buffer);
        Assert.Equal(1, await stream.ReadAsync(buffer.AsMemory()));
        Assert.Equal(3, buffer[0]);
        Assert.Equal(2, stream.Read(buffer));
        Assert.Equal(new byte[] { 4, 5 }, buffer);
        Assert.Equal(1, stream.Read(buffer));
        Assert.Equal(0, stream.Read(buffer));
    }

    /// <summary>A TLS connection over loopback; the client's writes reach the socket one TLS record per write.</summary>
    private static async Task<(Socket Server, Socket Client, SslStream ServerTls, SslStream ClientTls)> TlsPairAsync(
        bool serverReadsOneRecordAtATime = false)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var clientSocket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await clientSocket.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        Socket serverSocket = await listener.AcceptSocketAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 certificate = new CertificateRequest("CN=sstp-pump-test", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        Stream serverInner = new NetworkStream(serverSocket, ownsSocket: false);
        var serverTls = new SslStream(serverReadsOneRecordAtATime ? new ExactRecordStream(serverInner) : serverInner);
        var clientTls = new SslStream(new ExactRecordStream(new NetworkStream(clientSocket, ownsSocket: false)));
        await Task.WhenAll(
            serverTls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }),
            clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "sstp-pump-test",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            })).WaitAsync(TimeSpan.FromSeconds(10));
        return (serverSocket, clientSocket, serverTls, clientTls);
    }

    private static byte[] DataPacket(byte[] ip)
    {
        byte[] packet = new byte[ip.Length + SstpFrameWriter.DataPrefixLength];
        SstpFrameWriter.WriteDataPrefix(packet, PppProtocol.IPv4, ip.Length);
        ip.CopyTo(packet, SstpFrameWriter.DataPrefixLength);
        return packet;
    }

    /// <summary>The markers of <see cref="Ip"/> fill the packets' addresses and ports, so with flow queues every packet
    /// would be a flow of its own and leave in round-robin order; these tests are about records, so one FIFO.</summary>
    private const int OneFifo = 1;

    private static List<byte[]> Ip(int count, int length)
    {
        var packets = new List<byte[]>(count);
        for (int i = 0; i < count; i++)
        {
            byte[] p = new byte[length];
            p.AsSpan().Fill((byte)i);
            p[0] = 0x45;
            packets.Add(p);
        }

        return packets;
    }

    /// <summary>The SSTP packets in one write: the marker of each data packet (from <see cref="Ip"/>), -1 for anything else.</summary>
    private static List<int> Markers(byte[] write)
    {
        var markers = new List<int>();
        int offset = 0;
        while (offset < write.Length)
        {
            int length = ((write[offset + 2] & 0x0F) << 8) | write[offset + 3];
            Assert.InRange(length, SstpConstants.HeaderLength, write.Length - offset); // whole packets only
            bool ipData = (write[offset + 1] & SstpConstants.ControlBit) == 0 && write[offset + 6] == 0x00 && write[offset + 7] == 0x21;
            markers.Add(ipData ? write[offset + 9] : -1);
            offset += length;
        }

        return markers;
    }

    /// <summary>
    /// Queues <paramref name="ip"/>, starts the pump (the engine connects and writes <paramref name="control"/>), waits
    /// until everything is written and the pump gave its record array back, and returns the writes.
    /// </summary>
    private static async Task<List<byte[]>> RunBurstAsync(byte[][] control, List<byte[]> ip, SessionOptions? options = null, bool viaPipe = false)
    {
        var controlOutput = new ArrayBufferWriter<byte>();
        var engine = new ScriptedSstpSession(controlOutput);
        var egress = new EgressQueue(new EgressQueueOptions { CoDel = false, MaxPackets = 4096, MaxBytes = 1 << 20, FlowQueues = OneFifo });
        long expected = 0;
        foreach (byte[] c in control)
        {
            expected += c.Length;
        }

        foreach (byte[] p in ip)
        {
            Assert.True(egress.TryEnqueue(p, 0));
            expected += p.Length + SstpFrameWriter.DataPrefixLength;
        }

        var recording = new RecordingStream();
        PipeWriter output = viaPipe ? PipeWriter.Create(recording) : new Pipe().Writer;
        using var pump = new SstpPump(new Duplex(new Pipe().Reader, output), viaPipe ? null : recording, engine,
            controlOutput, egress, options ?? new SessionOptions { TlsReadBytes = 0 }, TimeProvider.System);
        Task run = pump.RunAsync(new NoHost(), _ =>
        {
            engine.Connect();
            foreach (byte[] c in control)
            {
                engine.Emit(c);
            }
        }, CancellationToken.None);

        Assert.True(await Poll.UntilAsync(() => recording.TotalBytes >= expected, TimeSpan.FromSeconds(10)));
        // Drained: the record array is back in the pool (an idle session holds none).
        Assert.True(await Poll.UntilAsync(() => !pump.HoldsRecordBuffer, TimeSpan.FromSeconds(10)));
        pump.ConnectionLost("test over");
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(expected, recording.TotalBytes);
        return [.. recording.Writes];
    }

    /// <summary>
    /// A pump on the server end of a loopback TLS connection writes LCP Configure-Ack + CHAP Challenge + 5 IP
    /// packets in one burst; the client reads like sstpc (wait until the raw socket is readable, then read exactly one
    /// SSTP packet; a second without readability is a stall). Returns how many packets it got and whether it stalled.
    /// </summary>
    private static async Task<(int Received, bool Stalled)> ReadBurstLikeSstpcAsync(SessionOptions options)
    {
        (Socket serverSocket, Socket clientSocket, SslStream serverTls, SslStream clientTls) = await TlsPairAsync();
        using var serverOwner = serverSocket;
        using var clientOwner = clientSocket;
        await using var serverOwnerTls = serverTls;
        await using var clientOwnerTls = clientTls;

        var controlOutput = new ArrayBufferWriter<byte>();
        var engine = new ScriptedSstpSession(controlOutput);
        var egress = new EgressQueue(new EgressQueueOptions { CoDel = false });
        foreach (byte[] p in Ip(5, 300))
        {
            Assert.True(egress.TryEnqueue(p, 0));
        }

        using var pump = new SstpPump(new Duplex(new Pipe().Reader, new Pipe().Writer), serverTls, engine, controlOutput,
            egress, options, TimeProvider.System);
        Task run = pump.RunAsync(new NoHost(), _ =>
        {
            engine.Connect();
            engine.Emit(LcpConfigureAck);
            engine.Emit(ChapChallenge);
        }, CancellationToken.None);

        int received = 0;
        bool stalled = false;
        byte[] packet = new byte[SstpConstants.MaxPacketLength];
        while (received < 7)
        {
            if (!clientSocket.Poll(TimeSpan.FromSeconds(1), SelectMode.SelectRead))
            {
                stalled = true;
                break;
            }

            await clientTls.ReadExactlyAsync(packet.AsMemory(0, SstpConstants.HeaderLength)).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            int length = ((packet[2] & 0x0F) << 8) | packet[3];
            await clientTls.ReadExactlyAsync(packet.AsMemory(SstpConstants.HeaderLength, length - SstpConstants.HeaderLength)).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            received++;
        }

        pump.ConnectionLost("test over");
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        return (received, stalled);
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private sealed class RecordingHost : ISstpPumpHost
    {
        private readonly List<byte[]> _packets = [];
        private int _batch;

        public int Count
        {
            get
            {
                lock (_packets)
                {
                    return _packets.Count;
                }
            }
        }

        public List<byte[]> Packets
        {
            get
            {
                lock (_packets)
                {
                    return [.. _packets];
                }
            }
        }

        public int LargestBatch { get; private set; }

        /// <summary>Packets whose batch has ended.</summary>
        public int BatchedPackets => Volatile.Read(ref _batchedPackets);

        private int _batchedPackets;

        public void AfterEngineCall(long nowMs)
        {
        }

        public void OnIpPacket(SstpInputKind kind, Span<byte> packet)
        {
            lock (_packets)
            {
                _packets.Add(packet.ToArray());
            }
            _batch++;
        }

        public void OnIpBatchEnd()
        {
            LargestBatch = Math.Max(LargestBatch, _batch);
            Interlocked.Add(ref _batchedPackets, _batch);
            _batch = 0;
        }
    }

    private sealed class NoHost : ISstpPumpHost
    {
        public void AfterEngineCall(long nowMs)
        {
        }

        public void OnIpPacket(SstpInputKind kind, Span<byte> packet)
        {
        }
    }
}
