using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Ppp;
using Gateway.Ppp.Auth;
using Gateway.Sessions;
using Gateway.Sstp;
using Gateway.Tunnel;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Client;

/// <summary>
/// The project's own SSTP client: TLS, the duplex POST, then the client SSTP and PPP engines driven by the same
/// <see cref="SstpPump"/> as the gateway. After <see cref="ConnectAsync"/> the tunnel is up; IP packets go out with
/// <see cref="Send"/> and come in through <see cref="PacketReceived"/>, or both ways through an attached TUN device.
/// With a TUN device opened with offloads (<see cref="OpenTun"/>, <see cref="SstpClientSettings.TunOffload"/>) the
/// gateway's data-plane pieces do the batching on this end too: <see cref="TunDevice"/> segments the TSO/USO
/// super-packets it reads (<see cref="GsoSegmenter"/>) into packets no larger than the TUN MTU, which is clamped to the
/// server's MRU, and the downlink packets of one TLS read go through a <see cref="UplinkCoalescer"/> into super-packet
/// writes (flushed at the end of each read), so a TCP stream costs a TUN read per super-packet (up to 64 KB) and a
/// TUN write per TLS read, not one per packet.
/// </summary>
public sealed class SstpTunnelClient : IAsyncDisposable, IPppClientEvents, ISstpPumpHost
{
    /// <summary>Buffer of one read from the TLS stream: room for a whole TLS record (16 KiB) and the SSTP packet it may
    /// begin inside the previous one.</summary>
    private const int ReadBufferSize = 64 * 1024;

    private readonly SstpClientSettings _settings;
    private readonly ILogger _logger;
    private readonly Socket _socket;
    private readonly SslStream _tls;
    private readonly SstpClientSession _sstp;
    private readonly PppClient _ppp;
    private readonly SstpPump _pump;
    private readonly EgressQueue _sendQueue;
    private readonly TaskCompletionSource _networkUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _closed = new();

    // Downlink GRO toward the TUN device; used only on the pump's read loop (OnIpPacket / OnIpBatchEnd).
    private readonly UplinkCoalescer _coalescer = new();
    private byte[]? _pendingHlak;
    private Task? _run;
    private ITunDevice? _tun;
    private string? _tunNamespace;
    private ulong _interfaceId;
    private int _ipv6Configured;
    private Exception? _ipv6Error;
    private long _receivedPackets, _receivedBytes;

    private SstpTunnelClient(SstpClientSettings settings, Socket socket, SslStream tls, PipeReader input,
        byte[] certSha1, byte[] certSha256, ILoggerFactory loggerFactory)
    {
        _settings = settings;
        _logger = loggerFactory.CreateLogger<SstpTunnelClient>();
        _socket = socket;
        _tls = tls;
        var control = new ArrayBufferWriter<byte>(512);
        _sstp = new SstpClientSession(settings.Sstp, certSha1, certSha256, control,
            loggerFactory.CreateLogger<SstpClientSession>());
        _ppp = new PppClient(settings.Ppp, new ClientAuthenticators(settings), _sstp, this,
            loggerFactory.CreateLogger<PppClient>());
        _sstp.AttachPpp(_ppp);
        _sendQueue = new EgressQueue(new EgressQueueOptions { MaxBytes = settings.SendQueueBytes, MaxPackets = 4096, CoDel = false, FlowQueues = 1 });
        // The pump writes its records straight to the SslStream, one TLS record of up to 16 KiB per write; the
        // pipe's output is only its fallback and stays unused. No separate tail record: that rule is for sstpc's
        // one-packet-per-wakeup reader, and the peer here is a server that reads whole records (it would cost the
        // load generator one more record per burst). `input` already reads the SslStream in 64 KiB reads, so the pump
        // keeps it (TlsReadBytes = 0).
        var transport = new DuplexPipe(input, PipeWriter.Create(tls, new StreamPipeWriterOptions(leaveOpen: true)));
        _pump = new SstpPump(transport, tls, _sstp, control, _sendQueue,
            new SessionOptions { SeparateTailRecord = false, TlsReadBytes = 0 }, TimeProvider.System);
        CertificateSha256 = certSha256;
    }

    /// <summary>Our inner address (IPCP).</summary>
    public IPAddress? Address { get; private set; }

    /// <summary>The gateway's inner address, when announced.</summary>
    public IPAddress? GatewayAddress { get; private set; }

    /// <summary>
    /// Our global IPv6 address formed by SLAAC (RFC 4862 5.5.3): the /64 of the server's Router Advertisement plus the
    /// interface identifier IPv6CP negotiated for us; null until one arrived (needs <c>Ppp.Ipv6Enabled</c>).
    /// </summary>
    public IPAddress? Ipv6Address { get; private set; }

    /// <summary>True once <see cref="Ipv6Address"/> is configured on the attached TUN device.</summary>
    public bool Ipv6Configured => Volatile.Read(ref _ipv6Configured) == 2;

    /// <summary>Why configuring <see cref="Ipv6Address"/> on the TUN device failed, if it did.</summary>
    public string? Ipv6ConfigurationError => _ipv6Error?.Message;

    public IPAddress? PrimaryDns { get; private set; }

    public IPAddress? SecondaryDns { get; private set; }

    /// <summary>SHA-256 of the server certificate seen in TLS.</summary>
    public byte[] CertificateSha256 { get; }

    /// <summary>Negotiated TLS protocol and cipher suite.</summary>
    public string TlsDescription => $"{_tls.SslProtocol}/{_tls.NegotiatedCipherSuite}";

    /// <summary>Called for every IP packet from the server (on the receive loop; the span is valid during the call).</summary>
    public PacketHandler? PacketReceived { get; set; }

    public delegate void PacketHandler(ReadOnlySpan<byte> packet);

    public long ReceivedPackets => Interlocked.Read(ref _receivedPackets);

    public long ReceivedBytes => Interlocked.Read(ref _receivedBytes);

    public long SentPackets => _pump.PacketsToPeer;

    public long SendDrops => _sendQueue.DroppedFull + _sendQueue.DroppedDelay;

    /// <summary>Writes issued to the attached TUN device (a coalesced super-packet counts one).</summary>
    public long TunWrites => _coalescer.Writes;

    /// <summary>IP packets from the server handed to the attached TUN device (each segment of a super-packet counts).</summary>
    public long TunPacketsWritten => _coalescer.Packets;

    /// <summary>The server's MRU as LCP acknowledged it: the largest IP packet this end may send (RFC 1661 6.1).</summary>
    public int PeerMru
    {
        get
        {
            lock (_pump.Gate)
            {
                return _ppp.PeerMru;
            }
        }
    }

    /// <summary>Completes when the call is over; its result says why.</summary>
    public Task Completion => _run ?? Task.CompletedTask;

    /// <summary>The reason the call ended, once it has.</summary>
    public string? CloseReason
    {
        get
        {
            lock (_pump.Gate)
            {
                return _sstp.CloseReason ?? _pump.LostReason;
            }
        }
    }

    public SstpState State
    {
        get
        {
            lock (_pump.Gate)
            {
                return _sstp.State;
            }
        }
    }

    /// <summary>
    /// Connects, authenticates and waits until IPCP is up. Throws <see cref="SstpClientException"/> with the reason when
    /// the server refuses the call (HTTP status, authentication failure, abort) or the timeout passes.
    /// </summary>
    public static async Task<SstpTunnelClient> ConnectAsync(SstpClientSettings settings, ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.ConnectTimeout);
        CancellationToken ct = timeout.Token;

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SslStream? tls = null;
        SstpTunnelClient? client = null;
        try
        {
            await socket.ConnectAsync(settings.Host, settings.Port, ct).ConfigureAwait(false);
            tls = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
            string serverName = settings.ServerName ?? settings.Host;
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = serverName,
                EnabledSslProtocols = settings.TlsProtocols,
                AllowTlsResume = settings.AllowTlsResume,
                RemoteCertificateValidationCallback = (_, cert, _, errors) => Validate(settings, cert, errors),
                CertificateChainPolicy = ChainPolicyFor(settings),
            }, ct).ConfigureAwait(false);

            byte[] der = tls.RemoteCertificate!.GetRawCertData();
            byte[] sha1 = SHA1.HashData(der);
            byte[] sha256 = SHA256.HashData(der);

            await tls.WriteAsync(SstpHttpClientHandshake.BuildRequest(serverName, Guid.NewGuid()), ct).ConfigureAwait(false);
            await tls.FlushAsync(ct).ConfigureAwait(false);
            // Each read is one batch for the TUN coalescer: with the default 4 KiB a read held ~3 data packets (2.6
            // per TUN write in ClientTunOffloadTests), with 64 KiB whole TLS records fit (~14 per write). With
            // zero-byte reads the buffer is rented only when data is there, so an idle client holds none.
            PipeReader input = PipeReader.Create(tls, new StreamPipeReaderOptions(bufferSize: ReadBufferSize,
                minimumReadSize: ReadBufferSize / 4, leaveOpen: true, useZeroByteReads: true));
            await ReadResponseAsync(input, ct).ConfigureAwait(false);

            client = new SstpTunnelClient(settings, socket, tls, input, sha1, sha256, loggerFactory);
            client._run = client.RunAsync();
            Task up = client._networkUp.Task;
            // WaitAsync, not a Task.Delay in the WhenAny: nothing stays registered on ct once the call is up.
            Task done = await Task.WhenAny(up, client._run).WaitAsync(ct).ConfigureAwait(false);
            if (done != up)
            {
                throw new SstpClientException("the call ended before the network was up: " + client.CloseReason);
            }

            await up.ConfigureAwait(false);
            return client;
        }
        catch (Exception ex)
        {
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                tls?.Dispose();
                socket.Dispose();
            }

            if (ex is SstpClientException)
            {
                throw;
            }

            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new SstpClientException($"connect timed out after {settings.ConnectTimeout.TotalSeconds:0} s"
                    + (client?.CloseReason is { } r ? ": " + r : ""), ex);
            }

            throw new SstpClientException("connect failed: " + ex.Message, ex);
        }
    }

    /// <summary>Queues an IP packet toward the server; false when the bounded send queue dropped it.</summary>
    public bool Send(ReadOnlySpan<byte> packet) => _pump.EnqueueToPeer(packet);

    /// <summary>
    /// Sends a Router Solicitation (RFC 4861 6.3.7) from our link-local address to all-routers; false before IPv6CP is
    /// up or when the send queue dropped it. Done once by itself when IPv6CP opens.
    /// </summary>
    public bool SendRouterSolicitation()
    {
        if (_interfaceId == 0)
        {
            return false;
        }

        Span<byte> rs = stackalloc byte[Ipv6RouterDiscovery.SolicitationLength];
        return _pump.EnqueueToPeer(rs[..Ipv6RouterDiscovery.WriteRouterSolicitation(rs, Ipv6RouterDiscovery.LinkLocal(_interfaceId))]);
    }

    /// <summary>
    /// Joins the tunnel to a TUN device: packets the kernel routes into <paramref name="tun"/> go to the server, and
    /// packets from the server are written to it.
    /// </summary>
    /// <remarks>
    /// With IPv6, the address SLAAC forms is configured on the device as a /64 (in <paramref name="networkNamespace"/>,
    /// where the device lives).
    /// </remarks>
    public void AttachTun(ITunDevice tun, string? networkNamespace = null)
    {
        _tunNamespace = networkNamespace;
        Volatile.Write(ref _tun, tun);
        tun.Start(packet => _pump.EnqueueToPeer(packet));
        ConfigureIpv6();
    }

    /// <summary>
    /// Creates TUN device <paramref name="name"/> (in <paramref name="networkNamespace"/> when given) with our tunnel
    /// address as a /32, brings it up and attaches it (<see cref="AttachTun"/>). Its MTU is <paramref name="mtu"/>
    /// but at most the server's MRU (<see cref="PeerMru"/>), so neither a plain packet nor a segment of a TSO
    /// super-packet (the kernel sizes gso_size from the device MTU) exceeds what the server takes. With
    /// <see cref="SstpClientSettings.TunOffload"/> the device is opened with IFF_VNET_HDR and TUNSETOFFLOAD. The caller
    /// disposes the device, after the client.
    /// </summary>
    public TunDevice OpenTun(string name, int mtu, string? networkNamespace = null)
    {
        int linkMtu = Math.Min(mtu, PeerMru);
        TunDevice tun = TunDevice.Create(name, linkMtu, 1, Address + "/32", networkNamespace, _logger, _settings.TunOffload);
        try
        {
            AttachTun(tun, networkNamespace);
        }
        catch
        {
            tun.Dispose();
            throw;
        }

        return tun;
    }

    /// <summary>Ends the call the graceful way (LCP Terminate, CALL_DISCONNECT) and waits for it, at most 10 s.</summary>
    public async Task DisconnectAsync(string reason = "user request")
    {
        _pump.Invoke(now => _sstp.Disconnect(reason, now));
        // WaitAsync rather than WhenAny with a Task.Delay: the delay's timer stayed queued for the full 10 s after every
        // call (thousands at once in sstp-bench's setup mode, docs/benchmarks.md section 13).
        await Completion.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public async ValueTask DisposeAsync()
    {
        _pump.ConnectionLost("disposed");
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _closed.Cancel();
        _pump.Dispose();
        _sendQueue.Dispose();
        try
        {
            _tls.Dispose();
        }
        catch (IOException)
        {
        }

        _socket.Dispose();
        _closed.Dispose();
    }

    private async Task RunAsync()
    {
        try
        {
            await _pump.RunAsync(this, now => _sstp.Start(now), _closed.Token).ConfigureAwait(false);
            try
            {
                await _tls.ShutdownAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
        finally
        {
            _networkUp.TrySetException(new SstpClientException("the call ended: " + CloseReason));
            _ = _networkUp.Task.Exception;
        }
    }

    private static async Task ReadResponseAsync(PipeReader input, CancellationToken ct)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync(ct).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            SstpHttpResponseStatus status = SstpHttpClientHandshake.TryParseResponse(ref buffer, out int code);
            switch (status)
            {
                case SstpHttpResponseStatus.Accepted:
                    input.AdvanceTo(buffer.Start);
                    return;
                case SstpHttpResponseStatus.Rejected:
                    input.AdvanceTo(buffer.Start);
                    throw new SstpClientException($"the server answered HTTP {code} to the SSTP request", code);
                case SstpHttpResponseStatus.Invalid:
                    throw new SstpClientException("the server's answer to the SSTP request is not a valid HTTP response");
            }

            if (result.IsCompleted)
            {
                throw new SstpClientException("the server closed the connection before answering the SSTP request");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// When the chain's verdict is not used (certificate pinned, or validation skipped), build it against an empty
    /// custom root store with no downloads and no revocation checks: .NET builds a chain before the callback anyway,
    /// and the system store lookups cost ~14% of a load generator's CPU per connect (docs/benchmarks.md).
    /// </summary>
    private static X509ChainPolicy? ChainPolicyFor(SstpClientSettings settings) =>
        settings.SkipCertificateValidation || settings.PinnedSha256 is not null
            ? new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                DisableCertificateDownloads = true,
                RevocationMode = X509RevocationMode.NoCheck,
            }
            : null;

    private static bool Validate(SstpClientSettings settings, X509Certificate? cert, SslPolicyErrors errors)
    {
        if (settings.PinnedSha256 is { } pin && cert is not null)
        {
            byte[] hash = SHA256.HashData(cert.GetRawCertData());
            return Convert.ToHexString(hash).Equals(pin.Replace(":", "", StringComparison.Ordinal),
                StringComparison.OrdinalIgnoreCase);
        }

        return settings.SkipCertificateValidation || errors == SslPolicyErrors.None;
    }

    void ISstpPumpHost.AfterEngineCall(long nowMs)
    {
        if (_pendingHlak is { } hlak)
        {
            _pendingHlak = null;
            _sstp.OnHigherLayerAuthenticated(hlak, nowMs);
        }
    }

    void ISstpPumpHost.OnIpPacket(SstpInputKind kind, Span<byte> packet)
    {
        Interlocked.Increment(ref _receivedPackets);
        Interlocked.Add(ref _receivedBytes, packet.Length);
        if (packet.Length > 0 && packet[0] >> 4 == 6 && IpPacket.TryParse(packet, out IpHeader v6) == IpParseStatus.Ok
            && Ipv6RouterDiscovery.IsForGateway(v6.Destination) && v6.Protocol == IpPacket.ProtocolIcmpV6)
        {
            // Router Discovery is ours, not the kernel's: the TUN device has no link-local address to receive it on.
            OnRouterDiscovery(packet, v6);
            return;
        }

        if (Volatile.Read(ref _tun) is { } tun && IpPacket.TryParse(packet, out IpHeader header) == IpParseStatus.Ok)
        {
            // Exactly the IP packet (the coalescer appends everything after the headers as payload); a TCP segment
            // may be held until the next packet or the end of this read (OnIpBatchEnd).
            _coalescer.Add(packet[..header.TotalLength], tun);
        }

        PacketReceived?.Invoke(packet);
    }

    /// <summary>SLAAC (RFC 4862 5.5.3): the first advertised /64 with A=1 plus our IPv6CP interface identifier.</summary>
    private void OnRouterDiscovery(ReadOnlySpan<byte> packet, in IpHeader header)
    {
        if (Ipv6Address is not null || _interfaceId == 0
            || !Ipv6RouterDiscovery.TryReadAutonomousPrefix(packet, header, out UInt128 prefix, out _))
        {
            return;
        }

        Ipv6Address = IpPacket.ToIPAddress((prefix & ~(UInt128)ulong.MaxValue) | _interfaceId);
        ConfigureIpv6();
    }

    /// <summary>Puts <see cref="Ipv6Address"/> on the TUN device once both are there (either may come first), once.</summary>
    private void ConfigureIpv6()
    {
        IPAddress? address = Ipv6Address;
        if (address is null)
        {
            return;
        }

        if (Volatile.Read(ref _tun) is not { } tun)
        {
            return;
        }

        if (Interlocked.Exchange(ref _ipv6Configured, 1) != 0)
        {
            return;
        }

        // nodad: IPv6CP already made the identifier unique on this point-to-point link (RFC 5072 4.1).
        string[] ns = _tunNamespace is null ? [] : ["-n", _tunNamespace];
        string name = tun.Name;
        _ = Task.Run(() =>
        {
            try
            {
                HostCommand.Run("ip", [.. ns, "-6", "addr", "add", address + "/64", "dev", name, "nodad"]);
                Volatile.Write(ref _ipv6Configured, 2);
            }
            catch (Exception ex)
            {
                _ipv6Error = ex;
            }
        });
    }

    void ISstpPumpHost.OnIpBatchEnd()
    {
        if (Volatile.Read(ref _tun) is { } tun)
        {
            _coalescer.Flush(tun);
        }
    }

    void IPppClientEvents.OnAuthenticated(byte[] hlak) => _pendingHlak = hlak;

    void IPppClientEvents.OnAuthenticationFailed(string reason) =>
        _networkUp.TrySetException(new SstpClientException("authentication failed: " + reason));

    void IPppClientEvents.OnNetworkUp(IPAddress address, IPAddress? gateway, IPAddress? primaryDns, IPAddress? secondaryDns)
    {
        Address = address;
        GatewayAddress = gateway;
        PrimaryDns = primaryDns;
        SecondaryDns = secondaryDns;
        _networkUp.TrySetResult();
    }

    void IPppClientEvents.OnNetworkDown()
    {
    }

    void IPppClientEvents.OnIpv6Up(ulong localInterfaceId, ulong peerInterfaceId)
    {
        _interfaceId = localInterfaceId;
        // RFC 4861 6.3.7: a host solicits an advertisement when its interface comes up rather than wait for one.
        SendRouterSolicitation();
    }

    void IPppClientEvents.OnIpv6Down()
    {
    }

    void IPppClientEvents.OnLinkTerminated(string reason) =>
        _networkUp.TrySetException(new SstpClientException("PPP link terminated: " + reason));

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
