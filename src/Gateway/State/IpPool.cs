using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gateway.State;

/// <summary>
/// An IPv4 address pool: the inclusive span <see cref="First"/>..<see cref="Last"/> (host-order integers) minus the
/// excluded addresses (network, broadcast, gateway and configured exclusions). Immutable.
/// </summary>
public sealed class IpPool
{
    /// <summary>Largest pool accepted (a /14): allocation state lives in Redis, one entry per address.</summary>
    public const int MaxSize = 1 << 18;

    private readonly HashSet<uint> _excluded;

    private IpPool(uint first, uint last, HashSet<uint> excluded, IPAddress? gateway)
    {
        First = first;
        Last = last;
        _excluded = excluded;
        GatewayAddress = gateway;
        Size = checked((int)(last - first + 1 - (uint)excluded.Count));
        var sorted = excluded.ToArray();
        Array.Sort(sorted);
        Excluded = sorted;
        Spec = string.Create(CultureInfo.InvariantCulture, $"{ToAddress(first)}-{ToAddress(last)}!{string.Join(',', sorted)}");
    }

    /// <summary>First address of the span (host order).</summary>
    public uint First { get; }

    /// <summary>Last address of the span (host order, inclusive).</summary>
    public uint Last { get; }

    /// <summary>Addresses of the span that are never leased (host order, ascending).</summary>
    public IReadOnlyList<uint> Excluded { get; }

    /// <summary>The gateway's own inner address (the local IPCP address), if any.</summary>
    public IPAddress? GatewayAddress { get; }

    /// <summary>Number of leasable addresses.</summary>
    public int Size { get; }

    /// <summary>Canonical description; nodes sharing a Redis store must agree on it.</summary>
    public string Spec { get; }

    /// <summary>True when <paramref name="address"/> is a leasable address of this pool.</summary>
    public bool Contains(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        uint value = ToUInt32(address);
        return value >= First && value <= Last && !_excluded.Contains(value);
    }

    /// <summary>The leasable addresses in ascending order.</summary>
    public IEnumerable<uint> Addresses()
    {
        for (ulong v = First; v <= Last; v++)
        {
            if (!_excluded.Contains((uint)v))
            {
                yield return (uint)v;
            }
        }
    }

    /// <summary>Builds the pool from options; throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public static IpPool FromOptions(IpPoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Parse(options.Range, options.GatewayAddress, options.Exclude);
    }

    /// <summary>
    /// Parses <c>a.b.c.d/len</c> or <c>a.b.c.d-e.f.g.h</c>. For a CIDR of /30 or wider the network and broadcast addresses
    /// are excluded (a /31 keeps both, RFC 3021); with no <paramref name="gatewayAddress"/> a CIDR's first host address
    /// becomes the gateway address.
    /// </summary>
    public static IpPool Parse(string range, string? gatewayAddress = null, IEnumerable<string>? exclude = null)
    {
        if (string.IsNullOrWhiteSpace(range))
        {
            throw new ArgumentException("State:Pool:Range is empty; expected a CIDR such as 10.8.0.0/24 or a range a.b.c.d-e.f.g.h.");
        }

        range = range.Trim();
        uint first, last;
        var excluded = new HashSet<uint>();
        bool isCidr = false;
        int slash = range.IndexOf('/');
        int dash = range.IndexOf('-');
        if (slash > 0)
        {
            isCidr = true;
            uint network = ParseV4(range[..slash], "State:Pool:Range");
            if (!int.TryParse(range.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix is < 0 or > 32)
            {
                throw new ArgumentException($"State:Pool:Range '{range}': prefix length must be 0..32.");
            }

            uint mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
            first = network & mask;
            last = first | ~mask;
            if (prefix <= 30)
            {
                excluded.Add(first);
                excluded.Add(last);
            }
        }
        else if (dash > 0)
        {
            first = ParseV4(range[..dash], "State:Pool:Range");
            last = ParseV4(range[(dash + 1)..], "State:Pool:Range");
            if (last < first)
            {
                throw new ArgumentException($"State:Pool:Range '{range}': the range ends before it starts.");
            }
        }
        else
        {
            throw new ArgumentException($"State:Pool:Range '{range}': expected a CIDR such as 10.8.0.0/24 or a range a.b.c.d-e.f.g.h.");
        }

        IPAddress? gateway = null;
        if (!string.IsNullOrWhiteSpace(gatewayAddress))
        {
            uint g = ParseV4(gatewayAddress, "State:Pool:GatewayAddress");
            gateway = ToAddress(g);
            if (g >= first && g <= last)
            {
                excluded.Add(g);
            }
        }
        else if (isCidr && last - first >= 3)
        {
            gateway = ToAddress(first + 1);
            excluded.Add(first + 1);
        }

        if (exclude is not null)
        {
            foreach (string e in exclude)
            {
                uint x = ParseV4(e, "State:Pool:Exclude");
                if (x >= first && x <= last)
                {
                    excluded.Add(x);
                }
            }
        }

        ulong size = (ulong)last - first + 1 - (ulong)excluded.Count;
        if (size == 0)
        {
            throw new ArgumentException($"State:Pool:Range '{range}' leaves no leasable address.");
        }

        if (size > MaxSize)
        {
            throw new ArgumentException($"State:Pool:Range '{range}' has {size} addresses; at most {MaxSize} are supported.");
        }

        return new IpPool(first, last, excluded, gateway);
    }

    /// <summary>An IPv4 address as a host-order integer.</summary>
    public static uint ToUInt32(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (address.AddressFamily != AddressFamily.InterNetwork || !address.TryWriteBytes(bytes, out _))
        {
            throw new ArgumentException($"'{address}' is not an IPv4 address.", nameof(address));
        }

        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    /// <summary>A host-order integer as an IPv4 address.</summary>
    public static IPAddress ToAddress(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    private static uint ParseV4(string text, string setting)
    {
        if (!IPAddress.TryParse(text.Trim(), out IPAddress? address) || address.AddressFamily != AddressFamily.InterNetwork
            || text.Trim().Count(c => c == '.') != 3)
        {
            throw new ArgumentException($"{setting}: '{text}' is not a dotted IPv4 address.");
        }

        return ToUInt32(address);
    }
}
