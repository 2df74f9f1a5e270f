using System.Collections.Concurrent;

namespace Gateway.Tunnel;

/// <summary>
/// The route table of the shared TUN device (sstp-protocol.md section 8: one TUN, routing by inner address):
/// inner IPv4 address, IPv6 /128 or IPv6 /64 prefix, to the session that owns it. Lookups on the packet path are
/// lock-free (<see cref="ConcurrentDictionary{TKey,TValue}.TryGetValue"/>); registration is rare.
/// Also the two data-plane entry points: <see cref="DispatchFromTunnel"/> (downlink) and <see cref="SendToTunnel"/>
/// (uplink), which validate, clamp MSS, count, and forward. Nothing here allocates per packet.
/// </summary>
public sealed class PacketRouter
{
    private readonly ConcurrentDictionary<uint, ITunnelSession> _ipv4 = new();
    private readonly ConcurrentDictionary<UInt128, ITunnelSession> _ipv6Host = new();
    private readonly ConcurrentDictionary<ulong, ITunnelSession> _ipv6Prefix64 = new();
    private readonly TunnelMetrics _metrics;
    private readonly ushort _mssV4;
    private readonly ushort _mssV6;
    private readonly bool _clampMss;
    private ITunDevice? _tun;

    /// <param name="metrics">Counters for forwarded and dropped packets.</param>
    /// <param name="mtu">Tunnel MTU; the MSS clamp is MTU-40 (IPv4) and MTU-60 (IPv6).</param>
    /// <param name="clampMss">Whether SYN/SYN-ACK segments get their MSS clamped in both directions.</param>
    public PacketRouter(TunnelMetrics metrics, int mtu, bool clampMss = true)
    {
        _metrics = metrics;
        _mssV4 = TcpMssClamp.MssForIpv4Mtu(mtu);
        _mssV6 = TcpMssClamp.MssForIpv6Mtu(mtu);
        _clampMss = clampMss;
    }

    /// <summary>Number of IPv4 routes.</summary>
    public int Ipv4RouteCount => _ipv4.Count;

    /// <summary>Number of IPv6 routes (/128 and /64).</summary>
    public int Ipv6RouteCount => _ipv6Host.Count + _ipv6Prefix64.Count;

    /// <summary>
    /// Connects the router to the TUN device: uplink packets are written to it and its reader threads deliver
    /// downlink packets to <see cref="DispatchFromTunnel"/>. Call once.
    /// </summary>
    public void Attach(ITunDevice tun)
    {
        if (Interlocked.CompareExchange(ref _tun, tun, null) is not null)
        {
            throw new InvalidOperationException("The router is already attached to a TUN device.");
        }
        tun.StartDispatch(DispatchSegment, AdmitSuperPacket);
    }

    /// <summary>
    /// The TUN reader's question before it segments a GSO super-packet: the session owning its destination decides
    /// (<see cref="ITunnelSession.AdmitsFromTunnel"/>, which counts a refusal); without a session all its segments are
    /// counted as no_route. A super-packet whose header does not parse is let through, to be checked segment by segment.
    /// </summary>
    internal bool AdmitSuperPacket(ReadOnlySpan<byte> superPacket, int segmentLength, int segments)
    {
        if (IpPacket.TryParse(superPacket, out IpHeader header) != IpParseStatus.Ok)
        {
            return true;
        }
        ITunnelSession? session = LookupDestination(header);
        if (session is null)
        {
            _metrics.Dropped(TunnelDropReason.NoRoute, segments);
            return false;
        }
        return session.AdmitsFromTunnel(superPacket, segmentLength, segments);
    }

    /// <summary>
    /// The TUN reader's handler: <see cref="DispatchFromTunnel"/>, and when the packet is refused, the
    /// <paramref name="segmentsAfter"/> segments of its super-packet that the reader then drops unsegmented are counted
    /// under the same reason (a session's queue refusal: queue_full), so the drop counter matches what a TCP sender
    /// retransmits.
    /// </summary>
    internal bool DispatchSegment(Span<byte> packet, int segmentsAfter)
    {
        DispatchResult result = DispatchFromTunnel(packet);
        if (result != DispatchResult.Forwarded)
        {
            _metrics.Dropped(result switch
            {
                DispatchResult.NoRoute => TunnelDropReason.NoRoute,
                DispatchResult.Malformed => TunnelDropReason.Malformed,
                _ => TunnelDropReason.QueueFull,
            }, segmentsAfter);
        }
        return result == DispatchResult.Forwarded;
    }

    /// <summary>Routes <paramref name="address"/> to <paramref name="session"/>; false if another session owns it.</summary>
    public bool TryRegister(uint address, ITunnelSession session) => _ipv4.TryAdd(address, session);

    /// <summary>Routes an IPv6 /128 or /64 to <paramref name="session"/>; false if that key is owned already.</summary>
    public bool TryRegister(UInt128 address, int prefixLength, ITunnelSession session) => prefixLength switch
    {
        128 => _ipv6Host.TryAdd(address, session),
        64 => _ipv6Prefix64.TryAdd((ulong)(address >> 64), session),
        _ => throw new ArgumentOutOfRangeException(nameof(prefixLength), prefixLength, "Only /64 and /128 are supported."),
    };

    /// <summary>Registers every address in <paramref name="addresses"/>; on a conflict nothing stays registered.</summary>
    public bool TryRegister(in SessionAddresses addresses, ITunnelSession session)
    {
        if (addresses.HasIpv4 && !TryRegister(addresses.Ipv4, session))
        {
            return false;
        }
        if (addresses.HasIpv6 && !TryRegister(addresses.Ipv6, addresses.Ipv6PrefixLength, session))
        {
            if (addresses.HasIpv4)
            {
                Unregister(addresses.Ipv4, session);
            }
            return false;
        }
        return true;
    }

    /// <summary>Removes the route if it still points to <paramref name="session"/> (a late unregister cannot remove a successor's route).</summary>
    public bool Unregister(uint address, ITunnelSession session) =>
        _ipv4.TryRemove(new KeyValuePair<uint, ITunnelSession>(address, session));

    /// <summary>Removes an IPv6 route if it still points to <paramref name="session"/>.</summary>
    public bool Unregister(UInt128 address, int prefixLength, ITunnelSession session) => prefixLength switch
    {
        128 => _ipv6Host.TryRemove(new KeyValuePair<UInt128, ITunnelSession>(address, session)),
        64 => _ipv6Prefix64.TryRemove(new KeyValuePair<ulong, ITunnelSession>((ulong)(address >> 64), session)),
        _ => false,
    };

    /// <summary>Removes every route of <paramref name="addresses"/> that points to <paramref name="session"/>.</summary>
    public void Unregister(in SessionAddresses addresses, ITunnelSession session)
    {
        if (addresses.HasIpv4)
        {
            Unregister(addresses.Ipv4, session);
        }
        if (addresses.HasIpv6)
        {
            Unregister(addresses.Ipv6, addresses.Ipv6PrefixLength, session);
        }
    }

    /// <summary>The session owning an IPv4 address, or null.</summary>
    public ITunnelSession? Lookup(uint address) => _ipv4.TryGetValue(address, out ITunnelSession? s) ? s : null;

    /// <summary>The session owning an IPv6 address: an exact /128 first, then the /64 containing it; or null.</summary>
    public ITunnelSession? Lookup(UInt128 address)
    {
        if (_ipv6Host.TryGetValue(address, out ITunnelSession? s))
        {
            return s;
        }
        return _ipv6Prefix64.TryGetValue((ulong)(address >> 64), out s) ? s : null;
    }

    /// <summary>The session owning <paramref name="header"/>'s destination (IPv4 or IPv6), or null.</summary>
    private ITunnelSession? LookupDestination(in IpHeader header) =>
        header.IsIpv4 ? Lookup(header.DestinationV4) : Lookup(header.Destination);

    /// <summary>
    /// Downlink: a packet read from the TUN device. Validates it, clamps MSS, finds the session by destination and
    /// queues the packet there. Packets without a session are counted and dropped.
    /// </summary>
    public DispatchResult DispatchFromTunnel(Span<byte> packet)
    {
        if (IpPacket.TryParse(packet, out IpHeader header) != IpParseStatus.Ok)
        {
            _metrics.Dropped(TunnelDropReason.Malformed);
            return DispatchResult.Malformed;
        }
        ITunnelSession? session = LookupDestination(header);
        if (session is null)
        {
            _metrics.Dropped(TunnelDropReason.NoRoute);
            return DispatchResult.NoRoute;
        }
        Span<byte> ip = packet[..header.TotalLength];
        if (_clampMss)
        {
            TcpMssClamp.Clamp(ip, _mssV4, _mssV6);
        }
        if (!session.EnqueueFromTunnel(ip))
        {
            return DispatchResult.Dropped;
        }
        _metrics.PacketDownlink(ip.Length);
        return DispatchResult.Forwarded;
    }

    /// <summary>Anti-spoofing: checks a packet from the client of <paramref name="addresses"/>; drops are counted.</summary>
    public SourceCheck ValidateFromClient(in SessionAddresses addresses, ReadOnlySpan<byte> packet)
    {
        SourceCheck check = SourceValidator.Check(addresses, packet, out _);
        if (check == SourceCheck.Spoofed)
        {
            _metrics.Dropped(TunnelDropReason.Spoofed);
        }
        else if (check == SourceCheck.Malformed)
        {
            _metrics.Dropped(TunnelDropReason.Malformed);
        }
        return check;
    }

    /// <summary>
    /// Uplink: an IP packet the client of <paramref name="addresses"/> sent (the PPP information field). Checks the
    /// source, clamps MSS in place and writes it to the TUN device. The span may be modified.
    /// </summary>
    public DispatchResult SendToTunnel(in SessionAddresses addresses, Span<byte> packet) =>
        SendToTunnel(addresses, packet, coalescer: null);

    /// <summary>
    /// Uplink in batches: as <see cref="SendToTunnel(in SessionAddresses, Span{byte})"/>, but the packet goes through
    /// the caller's <paramref name="coalescer"/> (uplink GRO), which may hold it until a later packet or
    /// <see cref="FlushToTunnel"/>. The caller flushes at the end of each batch (e.g. one TLS read).
    /// </summary>
    public DispatchResult SendToTunnel(in SessionAddresses addresses, Span<byte> packet, UplinkCoalescer? coalescer)
    {
        SourceCheck check = SourceValidator.Check(addresses, packet, out IpHeader header);
        if (check != SourceCheck.Ok)
        {
            _metrics.Dropped(check == SourceCheck.Spoofed ? TunnelDropReason.Spoofed : TunnelDropReason.Malformed);
            return check == SourceCheck.Spoofed ? DispatchResult.Spoofed : DispatchResult.Malformed;
        }
        if (header.IsIpv6 && Ipv6RouterDiscovery.IsForGateway(header.Destination))
        {
            // Link-local and multicast packets stay on the PPP link (RFC 4291 2.5.6); the caller answers solicitations.
            _metrics.Dropped(TunnelDropReason.LinkLocal);
            return DispatchResult.ForGateway;
        }
        Span<byte> ip = packet[..header.TotalLength];
        if (_clampMss)
        {
            TcpMssClamp.Clamp(ip, _mssV4, _mssV6);
        }
        ITunDevice? tun = Volatile.Read(ref _tun);
        long writes = coalescer?.Writes ?? 0;
        bool written = tun is not null && (coalescer is null ? tun.Write(ip) : coalescer.Add(ip, tun));
        _metrics.TunWrites(coalescer is null ? (tun is null ? 0 : 1) : coalescer.Writes - writes);
        if (!written)
        {
            _metrics.Dropped(TunnelDropReason.TunWriteFailed);
            return DispatchResult.Dropped;
        }
        _metrics.PacketUplink(ip.Length);
        return DispatchResult.Forwarded;
    }

    /// <summary>Writes what <paramref name="coalescer"/> still holds (the end of an uplink batch).</summary>
    public void FlushToTunnel(UplinkCoalescer coalescer)
    {
        ITunDevice? tun = Volatile.Read(ref _tun);
        if (tun is null)
        {
            return;
        }
        long writes = coalescer.Writes;
        bool ok = coalescer.Flush(tun);
        _metrics.TunWrites(coalescer.Writes - writes);
        if (!ok)
        {
            _metrics.Dropped(TunnelDropReason.TunWriteFailed);
        }
    }
}
