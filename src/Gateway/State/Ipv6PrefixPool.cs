using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gateway.State;

/// <summary>
/// A pool of /64 prefixes, one per session (RFC 4291 2.5.4: SLAAC needs a 64-bit interface identifier, so a PPP
/// client gets a whole /64, as RRAS and accel-ppp hand out). The prefixes of <c>base/len</c> are numbered 0..Size-1
/// (the bits between <c>len</c> and 64); leases are kept on those numbers, as an <see cref="IpPool"/> of the range
/// 0.0.0.0..(Size-1), so the IPv4 lease mechanism (in memory and in Redis) serves this pool unchanged. Immutable.
/// </summary>
public sealed class Ipv6PrefixPool
{
    /// <summary>Shortest pool prefix accepted: 2^(64-46) = <see cref="IpPool.MaxSize"/> prefixes.</summary>
    public const int MinPrefixLength = 46;

    private Ipv6PrefixPool(UInt128 network, int prefixLength)
    {
        Network = network;
        PrefixLength = prefixLength;
        Size = 1 << (64 - prefixLength);
        Indexes = IpPool.Parse($"{IpPool.ToAddress(0)}-{IpPool.ToAddress((uint)Size - 1)}");
        Spec = string.Create(CultureInfo.InvariantCulture, $"{ToAddress(network)}/{prefixLength}");
    }

    /// <summary>The pool's network (host bits cleared) as a 128-bit integer.</summary>
    public UInt128 Network { get; }

    /// <summary>Length of the pool prefix (46..64).</summary>
    public int PrefixLength { get; }

    /// <summary>Number of /64 prefixes.</summary>
    public int Size { get; }

    /// <summary>The prefix numbers as an IPv4-shaped pool (what the lease stores allocate from).</summary>
    public IpPool Indexes { get; }

    /// <summary>Canonical description ("fd53:5354:5000::/48"); nodes sharing a store must agree on it.</summary>
    public string Spec { get; }

    /// <summary>The /64 prefix number <paramref name="index"/> (its first address).</summary>
    public UInt128 PrefixAt(uint index) => Network | ((UInt128)index << 64);

    /// <summary>The number of the /64 containing <paramref name="address"/>; false when it is outside the pool.</summary>
    public bool TryGetIndex(UInt128 address, out uint index)
    {
        UInt128 mask = UInt128.MaxValue << (128 - PrefixLength);
        index = (uint)((ulong)(address >> 64) & (ulong)(Size - 1));
        return (address & mask) == Network;
    }

    /// <summary>Parses <c>address/len</c> with len 46..64; throws <see cref="ArgumentException"/> naming <paramref name="setting"/>.</summary>
    public static Ipv6PrefixPool Parse(string text, string setting = "Tunnel:Ipv6Prefix")
    {
        int slash = text?.IndexOf('/') ?? -1;
        if (slash <= 0
            || !IPAddress.TryParse(text.AsSpan(0, slash), out IPAddress? address)
            || address.AddressFamily != AddressFamily.InterNetworkV6
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int length)
            || length is < MinPrefixLength or > 64)
        {
            throw new ArgumentException(
                $"{setting} '{text}': expected an IPv6 prefix of length {MinPrefixLength}..64 such as fd53:5354:5000::/48 (one /64 per session).");
        }

        UInt128 mask = UInt128.MaxValue << (128 - length);
        return new Ipv6PrefixPool(ToUInt128(address) & mask, length);
    }

    private static UInt128 ToUInt128(IPAddress address) => Tunnel.IpPacket.ToUInt128(address);

    /// <summary>A 128-bit integer as an IPv6 address.</summary>
    public static IPAddress ToAddress(UInt128 value) => Tunnel.IpPacket.ToIPAddress(value);
}
