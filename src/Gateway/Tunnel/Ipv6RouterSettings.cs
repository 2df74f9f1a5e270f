using System.Net;
using System.Net.Sockets;

namespace Gateway.Tunnel;

/// <summary>
/// What the gateway advertises as IPv6 router of each PPP link (RFC 4861 6.2.1 router configuration variables), built
/// once from <see cref="TunnelOptions"/>. Immutable.
/// </summary>
public sealed class Ipv6RouterSettings
{
    private readonly UInt128[] _dns;

    public Ipv6RouterSettings(int mtu, IEnumerable<string>? dnsServers = null, TimeSpan? advertisementInterval = null)
    {
        // RFC 8200 5: IPv6 needs a link MTU of at least 1280.
        if (mtu < 1280)
        {
            throw new ArgumentOutOfRangeException(nameof(mtu), mtu, "IPv6 needs a tunnel MTU of at least 1280 (RFC 8200 5).");
        }

        Mtu = mtu;
        var dns = new List<UInt128>();
        foreach (string s in dnsServers ?? [])
        {
            if (!IPAddress.TryParse(s, out IPAddress? a) || a.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw new ArgumentException($"Tunnel:Ipv6Dns: '{s}' is not an IPv6 address.");
            }

            dns.Add(IpPacket.ToUInt128(a));
        }

        _dns = [.. dns];
        TimeSpan interval = advertisementInterval ?? TimeSpan.FromMinutes(10);
        // RFC 4861 6.2.1: MaxRtrAdvInterval 4..1800 s; AdvDefaultLifetime 3 x MaxRtrAdvInterval (at most 9000 s).
        if (interval < TimeSpan.FromSeconds(4) || interval > TimeSpan.FromSeconds(1800))
        {
            throw new ArgumentOutOfRangeException(nameof(advertisementInterval), interval, "Tunnel:Ipv6RaInterval must be 4 s..30 min (RFC 4861 6.2.1).");
        }

        AdvertisementIntervalMs = (long)interval.TotalMilliseconds;
        RouterLifetimeSeconds = (ushort)Math.Min(9000, 3 * (int)interval.TotalSeconds);
        DnsLifetimeSeconds = RouterLifetimeSeconds;
    }

    /// <summary>Link MTU advertised in the MTU option (the tunnel MTU, which is the PPP MRU).</summary>
    public int Mtu { get; }

    /// <summary>Cur Hop Limit for the client's packets (RFC 4861 4.2; 64 as RFC 1700 / Linux).</summary>
    public byte CurrentHopLimit { get; } = 64;

    /// <summary>How long the client keeps us as default router (3 x the advertisement interval).</summary>
    public ushort RouterLifetimeSeconds { get; }

    /// <summary>Prefix valid lifetime: RFC 4861 6.2.1 default AdvValidLifetime (30 days).</summary>
    public uint ValidLifetimeSeconds { get; } = 2_592_000;

    /// <summary>Prefix preferred lifetime: RFC 4861 6.2.1 default AdvPreferredLifetime (7 days).</summary>
    public uint PreferredLifetimeSeconds { get; } = 604_800;

    /// <summary>RDNSS lifetime (RFC 8106 5.1: at least MaxRtrAdvInterval; the router lifetime here).</summary>
    public uint DnsLifetimeSeconds { get; }

    /// <summary>Interval of the periodic advertisements after the initial ones (MaxRtrAdvInterval).</summary>
    public long AdvertisementIntervalMs { get; }

    /// <summary>IPv6 DNS servers for RDNSS (at most <see cref="Ipv6RouterDiscovery.MaxDnsServers"/> are sent).</summary>
    public ReadOnlySpan<UInt128> DnsServers => _dns;
}
