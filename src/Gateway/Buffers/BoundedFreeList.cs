using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Gateway.Buffers;

/// <summary>
/// Free objects kept for reuse by any thread, at most <see cref="MaxRetained"/>; an object offered beyond that is left
/// to the GC. The pools that use it (<c>PacketBufferPool</c>, <c>TransportMemoryPool</c>) rent on one thread and get
/// their objects back on another, which is why a per-thread pool such as <c>ArrayPool.Shared</c> does not serve them.
/// </summary>
/// <remarks>
/// The count is raised (by compare-and-swap, never past the bound) before an item is queued and lowered after one is
/// taken, so it never reads below the queue's length nor above the bound: the bound holds without a lock, and at
/// worst an offer is refused while a take is half done.
/// </remarks>
public sealed class BoundedFreeList<T>
    where T : class
{
    private readonly ConcurrentQueue<T> _items = new();
    private int _count;

    public BoundedFreeList(int maxRetained)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetained);
        MaxRetained = maxRetained;
    }

    /// <summary>Most free objects kept.</summary>
    public int MaxRetained { get; }

    /// <summary>Free objects kept now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Takes a free object, if one is kept.</summary>
    public bool TryTake([NotNullWhen(true)] out T? item)
    {
        if (_items.TryDequeue(out item))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }

    /// <summary>Keeps <paramref name="item"/> for reuse; false (the item is not kept) when the list is full.</summary>
    public bool TryAdd(T item)
    {
        int count = Volatile.Read(ref _count);
        while (true)
        {
            if (count >= MaxRetained)
            {
                return false;
            }

            int seen = Interlocked.CompareExchange(ref _count, count + 1, count);
            if (seen == count)
            {
                break;
            }

            count = seen;
        }

        _items.Enqueue(item);
        return true;
    }

    /// <summary>Drops every kept object.</summary>
    public void Clear()
    {
        while (TryTake(out _))
        {
        }
    }
}
