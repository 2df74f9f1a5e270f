using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Gateway.Edge;
using Gateway.Ppp;
using Gateway.Ppp.Auth;
using Gateway.Sstp;
using Gateway.Tunnel;
using Microsoft.Extensions.Logging;

namespace Gateway.Sessions;

/// <summary>
/// One SSTP call on the gateway: the server SSTP and PPP engines driven by an <see cref="SstpPump"/>, joined to the
/// data plane (route table, TUN, anti-spoofing) and to the address leases.
/// </summary>
public sealed class GatewaySession : ITunnelSession, IPppServerEvents, ISstpPumpHost
{
    private readonly SstpServerSession _sstp;
    private readonly PppServer _ppp;
    private readonly SstpPump _pump;
    private readonly EgressQueue _egress;
    private readonly PacketRouter _router;
    private readonly UplinkCoalescer _coalescer = new();
    private readonly ISessionLeases _leases;
    private readonly ISessionTracker _tracker;
    private readonly SessionMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly SessionOptions _options;
    private readonly uint _gatewayAddress;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _lifetime = new();

    // Raised by PPP inside an engine call; handled in AfterEngineCall, still under the pump's lock.
    private byte[]? _pendingHlak;
    private string? _pendingAddressUser;
    private bool _pendingNetworkUp;

    private SessionAddresses _addresses;
    private uint _leasedAddress;
    private bool _routed;
    private long _uplinkBytes, _uplinkPackets, _droppedSpoofed;

    public GatewaySession(
        IDuplexPipe transport,
        Stream? tls,
        SstpConnectionInfo info,
        SstpOptions sstpOptions,
        PppOptions pppOptions,
        TunnelOptions tunnelOptions,
        SessionOptions options,
        IServerAuthenticatorFactory authenticators,
        PacketRouter router,
        ISessionLeases leases,
        ISessionTracker tracker,
        SessionMetrics metrics,
        TunnelMetrics tunnelMetrics,
        ILoggerFactory loggerFactory,
        TimeProvider time)
    {
        Info = info;
        Id = info.ConnectionId;
        _router = router;
        _leases = leases;
        _tracker = tracker;
        _metrics = metrics;
        _time = time;
        _options = options;
        _logger = loggerFactory.CreateLogger<GatewaySession>();
        _gatewayAddress = tunnelOptions.ResolveGatewayAddress();
        _egress = new EgressQueue(tunnelOptions.Egress, tunnelMetrics, time);
        var control = new ArrayBufferWriter<byte>(512);
        _sstp = new SstpServerSession(sstpOptions, info.CertificateHashSha1, info.CertificateHashSha256, control,
            loggerFactory.CreateLogger<SstpServerSession>());
        _ppp = new PppServer(pppOptions, authenticators, _sstp, this, loggerFactory.CreateLogger<PppServer>());
        _sstp.AttachPpp(_ppp);
        _pump = new SstpPump(transport, tls, _sstp, control, _egress, options, time);
        StartedAt = time.GetUtcNow();
    }

    public string Id { get; }

    public SstpConnectionInfo Info { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>The authenticated user, once PPP authentication succeeded.</summary>
    public string? UserName { get; private set; }

    /// <summary>The client's inner IPv4 address once IPCP is up.</summary>
    public IPAddress? ClientAddress { get; private set; }

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

    public long UplinkBytes => Interlocked.Read(ref _uplinkBytes);
    public long UplinkPackets => Interlocked.Read(ref _uplinkPackets);
    public long DownlinkBytes => _pump.BytesToPeer;
    public long DownlinkPackets => _pump.PacketsToPeer;
    public long DroppedSpoofed => Interlocked.Read(ref _droppedSpoofed);
    public long EgressDrops => _egress.DroppedFull + _egress.DroppedDelay;

    /// <summary>Completes when the session is over and its resources are released.</summary>
    public Task Ended => _ended.Task;

    /// <summary>Runs the session until it ends. The caller closes the connection afterwards.</summary>
    public async Task RunAsync(CancellationToken connectionClosed)
    {
        SessionLog.Started(_logger, Id, Info.RemoteEndPoint?.ToString(), Info.CorrelationId, Info.TlsProtocol);
        _metrics.Started();
        string reason = "closed";
        try
        {
            await _pump.RunAsync(this, now => _sstp.Start(now), connectionClosed).ConfigureAwait(false);
            lock (_pump.Gate)
            {
                reason = _sstp.CloseReason ?? _pump.LostReason ?? reason;
            }
        }
        catch (Exception ex)
        {
            SessionLog.Failed(_logger, Id, ex);
            reason = "error: " + ex.GetType().Name;
        }
        finally
        {
            await CleanupAsync(reason).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Ends the call the graceful way (LCP Terminate-Request, CALL_DISCONNECT, wait for the ACK; MS-SSTP 3.1.2.2).
    /// Completes when the session has ended.
    /// </summary>
    public Task DisconnectAsync(string reason)
    {
        SessionLog.Disconnecting(_logger, Id, reason);
        _pump.Invoke(now => _sstp.Disconnect(reason, now));
        return _ended.Task;
    }

    /// <summary>Called by the TUN dispatcher (any reader thread): queue toward the client, dropping early when full.</summary>
    bool ITunnelSession.EnqueueFromTunnel(ReadOnlySpan<byte> packet) => _pump.EnqueueToPeer(packet);

    void ISstpPumpHost.OnIpPacket(SstpInputKind kind, Span<byte> packet)
    {
        // Uplink GRO: the packets of one TLS read are merged per TCP or UDP flow and written at OnIpBatchEnd.
        DispatchResult r = _router.SendToTunnel(_addresses, packet, _coalescer);
        if (r == DispatchResult.Forwarded)
        {
            Interlocked.Increment(ref _uplinkPackets);
            Interlocked.Add(ref _uplinkBytes, packet.Length);
        }
        else if (r == DispatchResult.Spoofed)
        {
            Interlocked.Increment(ref _droppedSpoofed);
        }
    }

    void ISstpPumpHost.OnIpBatchEnd() => _router.FlushToTunnel(_coalescer);

    void ISstpPumpHost.AfterEngineCall(long nowMs)
    {
        if (_pendingHlak is { } hlak)
        {
            _pendingHlak = null;
            _sstp.OnHigherLayerAuthenticated(hlak, nowMs);
        }

        if (_pendingAddressUser is { } user)
        {
            _pendingAddressUser = null;
            _ = AllocateAddressAsync(user);
        }

        if (_pendingNetworkUp)
        {
            _pendingNetworkUp = false;
            RegisterRoute(nowMs);
        }
    }

    private async Task AllocateAddressAsync(string user)
    {
        uint? address = null;
        string failure = "address pool exhausted";
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
            cts.CancelAfter(_options.AddressAllocationTimeoutMs);
            address = await _leases.AcquireAsync(user, Id, cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = "address allocation failed: " + ex.Message;
        }

        bool releaseNow = false;
        _pump.Invoke(now =>
        {
            if (_sstp.IsClosed || _lifetime.IsCancellationRequested)
            {
                releaseNow = address is not null;
            }
            else if (address is null)
            {
                SessionLog.NoAddress(_logger, Id, user, failure);
                _sstp.Disconnect(failure, now);
            }
            else
            {
                _leasedAddress = address.Value;
                _ppp.SetAddresses(new PppAddressAssignment(IpPacket.ToIPAddress(address.Value), IpPacket.ToIPAddress(_gatewayAddress)), now);
            }
        });

        if (releaseNow)
        {
            await _leases.ReleaseAsync(address!.Value, user, Id, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private void RegisterRoute(long nowMs)
    {
        if (_leasedAddress == 0 || _routed)
        {
            return;
        }

        var addresses = new SessionAddresses(_leasedAddress);
        if (!_router.TryRegister(addresses, this))
        {
            SessionLog.RouteConflict(_logger, Id, IpPacket.ToIPAddress(_leasedAddress).ToString());
            _sstp.Disconnect("address already in use", nowMs);
            return;
        }

        _addresses = addresses;
        _routed = true;
        ClientAddress = IpPacket.ToIPAddress(_leasedAddress);
        SessionLog.NetworkUp(_logger, Id, ClientAddress.ToString());
        _tracker.OnActive(this);
        _metrics.NetworkUp(_time.GetUtcNow() - StartedAt);
    }

    private async Task CleanupAsync(string reason)
    {
        _lifetime.Cancel();
        uint leased;
        lock (_pump.Gate)
        {
            _sstp.OnConnectionLost(reason);
            if (_routed)
            {
                _router.Unregister(_addresses, this);
                _routed = false;
            }

            leased = _leasedAddress;
            _leasedAddress = 0;
        }

        _pump.Dispose();
        _egress.Complete();
        _egress.Dispose();
        if (leased != 0 && UserName is not null)
        {
            try
            {
                await _leases.ReleaseAsync(leased, UserName, Id, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                SessionLog.Failed(_logger, Id, ex);
            }
        }

        await _tracker.OnEndedAsync(this, reason).ConfigureAwait(false);
        _metrics.Ended(ClientAddress is not null);
        SessionLog.Ended(_logger, Id, reason, UplinkBytes, DownlinkBytes, DroppedSpoofed);
        _lifetime.Dispose();
        _ended.TrySetResult();
    }

    void IPppServerEvents.OnAuthenticated(string userName, byte[] hlak)
    {
        UserName = userName;
        SessionLog.Authenticated(_logger, Id, userName);
        _pendingHlak = hlak;
    }

    void IPppServerEvents.OnAuthenticationFailed(string? userName, string reason) =>
        SessionLog.AuthenticationFailed(_logger, Id, userName, reason);

    void IPppServerEvents.OnAddressRequired(string userName) => _pendingAddressUser = userName;

    void IPppServerEvents.OnNetworkUp(IPAddress clientAddress) => _pendingNetworkUp = true;

    void IPppServerEvents.OnNetworkDown()
    {
    }

    void IPppServerEvents.OnIpv6Up(ulong localInterfaceId, ulong peerInterfaceId) => SessionLog.Ipv6Up(_logger, Id);

    void IPppServerEvents.OnIpv6Down()
    {
    }

    void IPppServerEvents.OnLinkTerminated(string reason) => SessionLog.LinkTerminated(_logger, Id, reason);
}
