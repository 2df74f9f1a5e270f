using System.Numerics;

namespace Gateway.Tunnel;

/// <summary>
/// A thread-safe in-process pool of IPv4 addresses over a contiguous range, as a bitmap (one bit per address).
/// Allocation scans forward from a rotating cursor, so a released address is reused as late as possible (stale
/// packets for the old session are unlikely to reach a new one); a scan touches 64 addresses per step, so even a
/// nearly full /16 costs at most ~1000 word reads. Specific allocation and release are O(1).
/// </summary>
public sealed class Ipv4AddressPool : IAddressPool
{
    /// <summary>Largest range accepted (a /8): 2 MiB of bitmap.</summary>
    public const int MaxSize = 1 << 24;

    private readonly object _lock = new();
    private readonly ulong[] _used;
    private readonly ulong[] _reserved;
    private readonly uint _first;
    private readonly int _size;
    private int _cursor;
    private int _available;

    /// <summary>A pool over <paramref name="first"/>..<paramref name="last"/> (inclusive), never handing out <paramref name="excluded"/>.</summary>
    public Ipv4AddressPool(uint first, uint last, IEnumerable<uint>? excluded = null)
    {
        if (last < first || (ulong)last - first + 1 > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(last), $"The range must hold 1 to {MaxSize} addresses.");
        }
        _first = first;
        _size = (int)(last - first + 1);
        _used = new ulong[(_size + 63) / 64];
        _reserved = new ulong[_used.Length];
        _available = _size;
        // Bits past the end of the range are marked used so the scan never returns them.
        for (int i = _size; i < _used.Length * 64; i++)
        {
            _used[i >> 6] |= 1UL << (i & 63);
        }
        if (excluded is not null)
        {
            foreach (uint address in excluded)
            {
                if (address >= first && address <= last)
                {
                    int offset = (int)(address - first);
                    if (!IsSet(_reserved, offset))
                    {
                        _reserved[offset >> 6] |= 1UL << (offset & 63);
                        _used[offset >> 6] |= 1UL << (offset & 63);
                        _available--;
                    }
                }
            }
        }
    }

    /// <summary>
    /// A pool for a CIDR block ("10.213.0.0/24"): the network and broadcast addresses (for prefixes up to /30) and
    /// <paramref name="gatewayAddress"/> are excluded. <paramref name="rangeFirst"/>/<paramref name="rangeLast"/>
    /// narrow it to a sub-range of the block.
    /// </summary>
    public static Ipv4AddressPool FromCidr(string cidr, uint? gatewayAddress = null, uint? rangeFirst = null, uint? rangeLast = null)
    {
        (uint network, int prefix) = ParseCidr(cidr);
        uint hostMask = prefix == 32 ? 0u : uint.MaxValue >> prefix;
        uint broadcast = network | hostMask;
        uint first = network;
        uint last = broadcast;
        var excluded = new List<uint>();
        if (prefix <= 30)
        {
            excluded.Add(network);
            excluded.Add(broadcast);
        }
        if (gatewayAddress is uint gw)
        {
            excluded.Add(gw);
        }
        if (rangeFirst is uint rf)
        {
            if (rf < network || rf > broadcast)
            {
                throw new ArgumentOutOfRangeException(nameof(rangeFirst), "The range start is outside the CIDR block.");
            }
            first = rf;
        }
        if (rangeLast is uint rl)
        {
            if (rl < network || rl > broadcast)
            {
                throw new ArgumentOutOfRangeException(nameof(rangeLast), "The range end is outside the CIDR block.");
            }
            last = rl;
        }
        return new Ipv4AddressPool(first, last, excluded);
    }

    /// <summary>Parses "a.b.c.d/n" into the network (host order, host bits cleared) and the prefix length.</summary>
    public static (uint Network, int PrefixLength) ParseCidr(string cidr)
    {
        int slash = cidr.IndexOf('/');
        if (slash < 0
            || !System.Net.IPAddress.TryParse(cidr.AsSpan(0, slash), out System.Net.IPAddress? address)
            || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || !int.TryParse(cidr.AsSpan(slash + 1), System.Globalization.NumberStyles.None, null, out int prefix)
            || prefix > 32)
        {
            throw new FormatException($"'{cidr}' is not an IPv4 CIDR block such as 10.213.0.0/24.");
        }
        uint mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return (IpPacket.ToUInt32(address) & mask, prefix);
    }

    /// <summary>First address of the range (host order).</summary>
    public uint First => _first;

    /// <summary>Addresses in the range, excluded ones included.</summary>
    public int Size => _size;

    /// <summary>Addresses free now.</summary>
    public int Available
    {
        get { lock (_lock) { return _available; } }
    }

    /// <summary>Leases any free address.</summary>
    public bool TryAllocate(out uint address)
    {
        lock (_lock)
        {
            if (_available == 0)
            {
                address = 0;
                return false;
            }
            int words = _used.Length;
            int word = _cursor >> 6;
            // First the cursor's own word from the cursor bit on, then whole words, wrapping around once.
            ulong free = ~_used[word] & (ulong.MaxValue << (_cursor & 63));
            for (int step = 0; free == 0 && step <= words; step++)
            {
                word = word + 1 == words ? 0 : word + 1;
                free = ~_used[word];
            }
            int offset = (word << 6) + BitOperations.TrailingZeroCount(free);
            Take(offset);
            _cursor = offset + 1 == _size ? 0 : offset + 1;
            address = _first + (uint)offset;
            return true;
        }
    }

    /// <summary>Leases exactly <paramref name="address"/> if it is in the range, not excluded and free.</summary>
    public bool TryAllocate(uint address)
    {
        if (address < _first || address - _first >= (uint)_size)
        {
            return false;
        }
        int offset = (int)(address - _first);
        lock (_lock)
        {
            if ((_used[offset >> 6] & (1UL << (offset & 63))) != 0)
            {
                return false;
            }
            Take(offset);
            return true;
        }
    }

    /// <summary>True if <paramref name="address"/> is leased now.</summary>
    public bool IsAllocated(uint address)
    {
        if (address < _first || address - _first >= (uint)_size)
        {
            return false;
        }
        int offset = (int)(address - _first);
        lock (_lock)
        {
            return !IsSet(_reserved, offset) && IsSet(_used, offset);
        }
    }

    /// <summary>Returns a leased address; false if it was not leased (or is excluded / out of range).</summary>
    public bool Release(uint address)
    {
        if (address < _first || address - _first >= (uint)_size)
        {
            return false;
        }
        int offset = (int)(address - _first);
        lock (_lock)
        {
            ulong bit = 1UL << (offset & 63);
            if (IsSet(_reserved, offset) || (_used[offset >> 6] & bit) == 0)
            {
                return false;
            }
            _used[offset >> 6] &= ~bit;
            _available++;
            return true;
        }
    }

    /// <inheritdoc />
    public ValueTask<uint?> AllocateAsync(uint? preferred = null, bool preferredOnly = false, CancellationToken cancellationToken = default)
    {
        if (preferred is uint p && TryAllocate(p))
        {
            return new ValueTask<uint?>(p);
        }
        if (preferredOnly)
        {
            return new ValueTask<uint?>((uint?)null);
        }
        return new ValueTask<uint?>(TryAllocate(out uint address) ? address : null);
    }

    /// <inheritdoc />
    public ValueTask ReleaseAsync(uint address, CancellationToken cancellationToken = default)
    {
        Release(address);
        return ValueTask.CompletedTask;
    }

    private static bool IsSet(ulong[] bits, int offset) => (bits[offset >> 6] & (1UL << (offset & 63))) != 0;

    private void Take(int offset)
    {
        _used[offset >> 6] |= 1UL << (offset & 63);
        _available--;
    }
}
