using System.Net;

namespace Gateway.Tunnel;

/// <summary>Settings of the tunnel data plane; bound to the "Tunnel" configuration section.</summary>
public sealed class TunnelOptions
{
    public const string SectionName = "Tunnel";

    /// <summary>Interface name (at most 15 bytes; "%d" lets the kernel pick a number).</summary>
    public string DeviceName { get; set; } = "sstp0";

    /// <summary>Tunnel MTU; also the PPP MRU offered (sstp-protocol.md section 8: 1400).</summary>
    public int Mtu { get; set; } = 1400;

    /// <summary>TUN queues (IFF_MULTI_QUEUE when above 1), one reader thread each.</summary>
    public int Queues { get; set; } = 1;

    /// <summary>
    /// Open the queues with IFF_VNET_HDR and enable TUNSETOFFLOAD (checksum, TSO4/6, ECN, USO4/6 when the kernel
    /// accepts them), so one read returns a whole GSO super-packet that is segmented in user space. Off, or when the
    /// kernel refuses, every read and write carries one plain IP packet.
    /// </summary>
    public bool Offload { get; set; } = true;

    /// <summary>
    /// The TUN device's transmit ring (kernel to gateway) in packets, set with <c>ip link set txqueuelen</c>. The ring
    /// counts packets, not bytes: with offloads a GSO super-packet of up to 64 KB is one entry, so 500 entries hold up
    /// to 32 MB in front of every session's downlink (docs/benchmarks.md section 11: ping p99 197 ms through a session
    /// flooded with GSO traffic; 22.8 ms with 64 entries, but with ordinary 1400-B traffic 64 entries cut a 4-session
    /// download from 1.43 to 0.92 Gbit/s). Since the reader drops refused super-packets whole and pauses instead of
    /// yielding (section 12), the kernel's 500 gave 24.5-67 ms there on an idle box and 310-420 ms on a busy one
    /// (section 13). A fixed length; 0 (the default) lets <see cref="TxQueueBytes"/> size the ring instead.
    /// </summary>
    public int TxQueueLength { get; set; }

    /// <summary>
    /// Bytes the TUN device's transmit ring should hold (default 4 MiB; 0 keeps the kernel's 500 packets): the gateway
    /// sets the ring's length in packets from the mean bytes per read once a second (<see cref="TunRingSizer"/>:
    /// 64 to 1024 entries: about 64 for GSO super-packets, 1024 for ordinary packets). Ignored when
    /// <see cref="TxQueueLength"/> is set.
    /// </summary>
    public long TxQueueBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>The client address pool as an IPv4 CIDR block.</summary>
    public string Ipv4Pool { get; set; } = "172.30.0.0/24";

    /// <summary>Optional first/last address handed out (inside <see cref="Ipv4Pool"/>); default the whole block.</summary>
    public string? PoolRangeStart { get; set; }

    /// <inheritdoc cref="PoolRangeStart"/>
    public string? PoolRangeEnd { get; set; }

    /// <summary>The gateway's own tunnel address (on the TUN device, and the IPCP local address); default the first
    /// host of <see cref="Ipv4Pool"/>. Never handed to a client.</summary>
    public string? GatewayAddress { get; set; }

    /// <summary>
    /// The pool of IPv6 /64 prefixes, one per session (e.g. <c>fd53:5354:5000::/48</c>, prefix length 46..64); empty:
    /// no IPv6 in the data plane (the default). When set, IPv6CP is on unless <c>Ppp:Ipv6Enabled</c> says otherwise,
    /// the TUN device gets a route for the pool, and each client gets its /64 by Router Advertisement (SLAAC).
    /// </summary>
    public string? Ipv6Prefix { get; set; }

    /// <summary>IPv6 DNS servers advertised to clients (RDNSS, RFC 8106); at most three are sent.</summary>
    public List<string> Ipv6Dns { get; set; } = [];

    /// <summary>Interval of the periodic Router Advertisements after the first three (4 s..30 min); the router lifetime
    /// advertised is three times this.</summary>
    public TimeSpan Ipv6RaInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>True when <see cref="Ipv6Prefix"/> is set.</summary>
    public bool Ipv6Enabled => !string.IsNullOrWhiteSpace(Ipv6Prefix);

    /// <summary>The router settings the sessions advertise.</summary>
    public Ipv6RouterSettings CreateIpv6RouterSettings() => new(Mtu, Ipv6Dns, Ipv6RaInterval);

    /// <summary>Clamp TCP MSS of SYN/SYN-ACK to MTU-40 / MTU-60 in both directions.</summary>
    public bool ClampMss { get; set; } = true;

    /// <summary>Enable IPv4 forwarding and masquerade the pool behind the host's address (nftables, else iptables).</summary>
    public bool Nat { get; set; }

    /// <summary>Create and configure the device inside this named network namespace (/run/netns/NAME) instead of the
    /// process's own.</summary>
    public string? NetworkNamespace { get; set; }

    /// <summary>Bounds of each session's queue toward its client.</summary>
    public EgressQueueOptions Egress { get; set; } = new();

    /// <summary>The pool's network and prefix length.</summary>
    public (uint Network, int PrefixLength) ParsePool() => Ipv4AddressPool.ParseCidr(Ipv4Pool);

    /// <summary>The gateway's tunnel address (host order).</summary>
    public uint ResolveGatewayAddress()
    {
        if (GatewayAddress is not null)
        {
            return IpPacket.ToUInt32(IPAddress.Parse(GatewayAddress));
        }
        (uint network, int prefix) = ParsePool();
        return prefix >= 31 ? network : network + 1;
    }

    /// <summary>A local pool for <see cref="Ipv4Pool"/>, without network, broadcast and gateway addresses.</summary>
    public Ipv4AddressPool CreatePool() => Ipv4AddressPool.FromCidr(
        Ipv4Pool,
        ResolveGatewayAddress(),
        PoolRangeStart is null ? null : IpPacket.ToUInt32(IPAddress.Parse(PoolRangeStart)),
        PoolRangeEnd is null ? null : IpPacket.ToUInt32(IPAddress.Parse(PoolRangeEnd)));
}
