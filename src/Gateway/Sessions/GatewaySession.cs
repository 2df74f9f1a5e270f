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

    // What the uplink checks sources against: swapped whole (one reference) when routes change, read per packet
    // without the lock.
    private AddressSet _addresses = AddressSet.None;
    private uint _leasedAddress;
    private bool _routed;

    // IPv6 (null settings: off): the /64 leased with the IPv4 address, routed and advertised once IPv6CP is open.
    private readonly Ipv6RouterSettings? _ipv6;
    private readonly RouterAdvertisementSchedule? _raSchedule;
    private readonly ITimer? _raTimer;
    private UInt128 _leasedPrefix;
    private bool _prefixLeased;
    private bool _pendingIpv6Up, _pendingIpv6Down, _ipv6Up, _ipv6Routed, _raTimerDisposed;
    private ulong _gatewayInterfaceId;
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
        if (tunnelOptions.Ipv6Enabled)
        {
            _ipv6 = tunnelOptions.CreateIpv6RouterSettings();
            _raSchedule = new RouterAdvertisementSchedule(_ipv6.AdvertisementIntervalMs);
            _raTimer = time.CreateTimer(static s => ((GatewaySession)s!).OnAdvertisementTimer(), this,
                Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        StartedAt = time.GetUtcNow();
    }

    public string Id { get; }

    public SstpConnectionInfo Info { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>The authenticated user, once PPP authentication succeeded.</summary>
    public string? UserName { get; private set; }

    /// <summary>The client's inner IPv4 address once IPCP is up.</summary>
    public IPAddress? ClientAddress { get; private set; }

    /// <summary>The client's /64 (its first address) once IPv6CP is up and the prefix is routed.</summary>
    public IPAddress? Ipv6Prefix { get; private set; }

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

    /// <summary>Router Advertisements sent since IPv6 came up (initial, periodic and solicited).</summary>
    public int RouterAdvertisementsSent
    {
        get
        {
            lock (_pump.Gate)
            {
                return _raSchedule?.Sent ?? 0;
            }
        }
    }
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
        DispatchResult r = _router.SendToTunnel(Volatile.Read(ref _addresses).Value, packet, _coalescer);
        if (r == DispatchResult.Forwarded)
        {
            Interlocked.Increment(ref _uplinkPackets);
            Interlocked.Add(ref _uplinkBytes, packet.Length);
        }
        else if (r == DispatchResult.Spoofed)
        {
            Interlocked.Increment(ref _droppedSpoofed);
        }
        else if (r == DispatchResult.ForGateway)
        {
            OnPacketForGateway(packet);
        }
    }

    /// <summary>A client packet to a link-local or multicast address: a Router Solicitation is answered, the rest dropped.</summary>
    private void OnPacketForGateway(ReadOnlySpan<byte> packet)
    {
        if (_raSchedule is null || IpPacket.TryParse(packet, out IpHeader header) != IpParseStatus.Ok
            || !Ipv6RouterDiscovery.IsRouterSolicitation(packet, header))
        {
            return;
        }

        lock (_pump.Gate)
        {
            long now = _pump.NowMs;
            // RFC 4861 6.2.6: the answer waits a random 0..MAX_RA_DELAY_TIME.
            _raSchedule.OnSolicitation(now, Random.Shared.Next(0, (int)RouterAdvertisementSchedule.MaxRaDelayMs + 1));
            ArmAdvertisementTimer(now);
        }
    }

    private void OnAdvertisementTimer() => _pump.Invoke(SendDueAdvertisement);

    /// <summary>Sends the Router Advertisement if one is due and arms the timer for the next. Under the pump's lock.</summary>
    private void SendDueAdvertisement(long nowMs)
    {
        if (_raSchedule is null || _ipv6 is null || !_ipv6Routed)
        {
            return;
        }

        if (_raSchedule.IsDue(nowMs))
        {
            Span<byte> ra = stackalloc byte[Ipv6RouterDiscovery.MaxAdvertisementLength];
            int length = Ipv6RouterDiscovery.WriteRouterAdvertisement(ra, Ipv6RouterDiscovery.LinkLocal(_gatewayInterfaceId),
                Ipv6RouterDiscovery.AllNodes, _leasedPrefix, _ipv6);
            _pump.EnqueueToPeer(ra[..length]);
            _raSchedule.OnSent(nowMs);
        }

        ArmAdvertisementTimer(nowMs);
    }

    /// <summary>Under the pump's lock, like every use of the timer (so none follows its disposal at the session's end).</summary>
    private void ArmAdvertisementTimer(long nowMs)
    {
        if (_raTimerDisposed)
        {
            return;
        }

        long due = _raSchedule!.NextDueMs;
        _raTimer!.Change(due == long.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Math.Max(0, due - nowMs)),
            Timeout.InfiniteTimeSpan);
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

        if (_pendingIpv6Up)
        {
            _pendingIpv6Up = false;
            _ipv6Up = true;
            StartIpv6(nowMs);
        }

        if (_pendingIpv6Down)
        {
            _pendingIpv6Down = false;
            _ipv6Up = false;
            StopIpv6();
        }
    }

    /// <summary>Once IPv6CP is open and the /64 is leased: route the prefix here and start advertising it.</summary>
    private void StartIpv6(long nowMs)
    {
        if (!_ipv6Up || !_prefixLeased || _ipv6Routed || _raSchedule is null)
        {
            return;
        }

        string prefix = IpPacket.ToIPAddress(_leasedPrefix).ToString();
        if (!_router.TryRegister(_leasedPrefix, 64, this))
        {
            // The prefix store hands a /64 to one session at a time, so this is a stale route; IPv4 carries on.
            SessionLog.RouteConflict(_logger, Id, prefix + "/64");
            return;
        }

        _ipv6Routed = true;
        PublishAddresses();
        Ipv6Prefix = IpPacket.ToIPAddress(_leasedPrefix);
        SessionLog.Ipv6Routed(_logger, Id, prefix);
        _raSchedule.Start(nowMs);
        SendDueAdvertisement(nowMs);
        if (_routed)
        {
            _tracker.OnActive(this);
        }
    }

    private void StopIpv6()
    {
        if (_raSchedule is not null)
        {
            _raSchedule.Stop();
            ArmAdvertisementTimer(0);
        }

        if (_ipv6Routed)
        {
            _router.Unregister(_leasedPrefix, 64, this);
            _ipv6Routed = false;
            Ipv6Prefix = null;
            PublishAddresses();
        }
    }

    /// <summary>The uplink's view of the routed addresses (a new immutable set; the old one stays valid for readers).</summary>
    private void PublishAddresses()
    {
        uint v4 = _routed ? _leasedAddress : 0;
        Volatile.Write(ref _addresses, new AddressSet(_ipv6Routed ? new SessionAddresses(v4, _leasedPrefix, 64) : new SessionAddresses(v4)));
    }

    private async Task AllocateAddressAsync(string user)
    {
        uint? address = null;
        UInt128? prefix = null;
        string failure = "address pool exhausted";
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        cts.CancelAfter(_options.AddressAllocationTimeoutMs);
        try
        {
            address = await _leases.AcquireAsync(user, Id, cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = "address allocation failed: " + ex.Message;
        }

        if (address is not null && _ipv6 is not null)
        {
            // The /64 comes from the store's second pool, leased and released with the address (RFC 4862 5.5.3: SLAAC).
            string reason = "prefix pool exhausted";
            try
            {
                prefix = await _leases.AcquireIpv6PrefixAsync(user, Id, cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                reason = ex.Message;
            }

            if (prefix is null)
            {
                SessionLog.NoIpv6Prefix(_logger, Id, user, reason);
            }
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
                if (prefix is { } p)
                {
                    _leasedPrefix = p;
                    _prefixLeased = true;
                    StartIpv6(now);
                }

                _ppp.SetAddresses(new PppAddressAssignment(IpPacket.ToIPAddress(address.Value), IpPacket.ToIPAddress(_gatewayAddress)), now);
            }
        });

        if (releaseNow)
        {
            await _leases.ReleaseAsync(address!.Value, user, Id, CancellationToken.None).ConfigureAwait(false);
            if (prefix is not null)
            {
                await _leases.ReleaseIpv6PrefixAsync(Id, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private void RegisterRoute(long nowMs)
    {
        if (_leasedAddress == 0 || _routed)
        {
            return;
        }

        if (!_router.TryRegister(_leasedAddress, this))
        {
            SessionLog.RouteConflict(_logger, Id, IpPacket.ToIPAddress(_leasedAddress).ToString());
            _sstp.Disconnect("address already in use", nowMs);
            return;
        }

        _routed = true;
        PublishAddresses();
        ClientAddress = IpPacket.ToIPAddress(_leasedAddress);
        SessionLog.NetworkUp(_logger, Id, ClientAddress.ToString());
        _tracker.OnActive(this);
        _metrics.NetworkUp(_time.GetUtcNow() - StartedAt);
    }

    private async Task CleanupAsync(string reason)
    {
        _lifetime.Cancel();
        uint leased;
        bool prefixLeased;
        lock (_pump.Gate)
        {
            _sstp.OnConnectionLost(reason);
            StopIpv6();
            _raTimer?.Dispose();
            _raTimerDisposed = true;
            if (_routed)
            {
                _router.Unregister(_leasedAddress, this);
                _routed = false;
            }

            leased = _leasedAddress;
            _leasedAddress = 0;
            prefixLeased = _prefixLeased;
            _prefixLeased = false;
        }

        _pump.Dispose();
        _egress.Complete();
        _egress.Dispose();
        if (leased != 0 && UserName is not null)
        {
            try
            {
                await _leases.ReleaseAsync(leased, UserName, Id, CancellationToken.None).ConfigureAwait(false);
                if (prefixLeased)
                {
                    await _leases.ReleaseIpv6PrefixAsync(Id, CancellationToken.None).ConfigureAwait(false);
                }
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

    void IPppServerEvents.OnIpv6Up(ulong localInterfaceId, ulong peerInterfaceId)
    {
        SessionLog.Ipv6Up(_logger, Id);
        _gatewayInterfaceId = localInterfaceId;
        _pendingIpv6Up = true;
        _pendingIpv6Down = false;
    }

    void IPppServerEvents.OnIpv6Down()
    {
        _pendingIpv6Up = false;
        _pendingIpv6Down = true;
    }

    void IPppServerEvents.OnLinkTerminated(string reason) => SessionLog.LinkTerminated(_logger, Id, reason);

    /// <summary>An immutable <see cref="SessionAddresses"/> the uplink reads with one reference load.</summary>
    private sealed class AddressSet(SessionAddresses value)
    {
        public static readonly AddressSet None = new(default);

        public readonly SessionAddresses Value = value;
    }
}
