using System.Buffers;
using Gateway.Buffers;

namespace Gateway.Edge;

/// <summary>
/// The memory pool behind Kestrel's socket transport pipes (<see cref="TransportMemoryPoolFactory"/>), with blocks of
/// <see cref="EdgeOptions.TransportBlockBytes"/> instead of Kestrel's 4 KiB. Kestrel's socket receive reads into the
/// free part of the pipe's current block (SocketConnection.DoReceive: <c>Input.GetMemory(2048)</c>), so with 4 KiB
/// blocks a TLS byte stream arrived 2 KiB per recv() syscall: eight receives, pipe flushes and reader wakeups per 16 KiB
/// TLS record (~1.1 us per syscall here, docs/benchmarks.md section 10). With 64 KiB blocks one receive takes
/// what the socket holds, up to four records. Idle connections hold no block (Kestrel waits for data before it rents
/// one, and a pipe returns its blocks once they are consumed), so idle memory does not change.
/// <para>Blocks are pinned arrays (the socket reads into them in place). Returned blocks are kept for reuse up to
/// <c>maxRetained</c>; beyond that they go back to the GC. Renting allocates only when no block is free.</para>
/// </summary>
public sealed class TransportMemoryPool : MemoryPool<byte>
{
    private readonly BoundedFreeList<Block> _free;
    private readonly int _blockSize;
    private long _allocated;
    private long _rents;
    private volatile bool _disposed;

    public TransportMemoryPool(int blockSize, int maxRetained)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 4096);
        _blockSize = blockSize;
        _free = new BoundedFreeList<Block>(maxRetained);
    }

    /// <inheritdoc />
    public override int MaxBufferSize => _blockSize;

    /// <summary>Blocks allocated since creation (a rent that found no free block).</summary>
    public long Allocated => Interlocked.Read(ref _allocated);

    /// <summary>Rents since creation.</summary>
    public long Rents => Interlocked.Read(ref _rents);

    /// <summary>Blocks kept for reuse now.</summary>
    public int Retained => _free.Count;

    /// <summary>A whole block; <paramref name="minBufferSize"/> (-1 = any) may not exceed <see cref="MaxBufferSize"/>.</summary>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, _blockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Interlocked.Increment(ref _rents);
        if (!_free.TryTake(out Block? block))
        {
            Interlocked.Increment(ref _allocated);
            block = new Block(this, GC.AllocateUninitializedArray<byte>(_blockSize, pinned: true));
        }

        block.Lease();
        return block;
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _free.Clear();
    }

    private void Return(Block block)
    {
        if (!_disposed)
        {
            _free.TryAdd(block);
        }
    }

    /// <summary>One block; the owner object itself is reused with its array.</summary>
    private sealed class Block(TransportMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private int _leased;

        public Memory<byte> Memory => array;

        public void Lease() => Volatile.Write(ref _leased, 1);

        public void Dispose()
        {
            // A second Dispose of the same lease must not put the block in the free list twice.
            if (Interlocked.Exchange(ref _leased, 0) == 1)
            {
                pool.Return(this);
            }
        }
    }
}
