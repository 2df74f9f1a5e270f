using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Edge;

/// <summary>
/// Kestrel's socket transport takes its pipes' memory pool from the <see cref="IMemoryPoolFactory{T}"/> in DI
/// (WebHostBuilderSocketExtensions.UseSockets); registering this one replaces Kestrel's 4 KiB pinned-block pool with
/// <see cref="TransportMemoryPool"/> (see there for why). Every <see cref="Create"/> makes a pool of its own, as
/// Kestrel's factory does; <see cref="Pools"/> lists them for tests and diagnostics.
/// </summary>
public sealed class TransportMemoryPoolFactory(int blockSize, int maxRetained) : IMemoryPoolFactory<byte>
{
    private readonly List<TransportMemoryPool> _pools = [];

    /// <summary>The pools created so far.</summary>
    public IReadOnlyList<TransportMemoryPool> Pools
    {
        get
        {
            lock (_pools)
            {
                return [.. _pools];
            }
        }
    }

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        var pool = new TransportMemoryPool(blockSize, maxRetained);
        lock (_pools)
        {
            _pools.Add(pool);
        }

        return pool;
    }
}
