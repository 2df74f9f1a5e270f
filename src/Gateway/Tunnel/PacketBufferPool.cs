using System.Buffers;
using Gateway.Buffers;

namespace Gateway.Tunnel;

/// <summary>
/// Buffers of queued IP packets (<see cref="EgressQueue"/>). They are rented by the thread that enqueues (a TUN reader
/// on the gateway, the sending thread in the client) and returned by another, the session pump that writes them out.
/// <see cref="ArrayPool{T}.Shared"/> keeps returned arrays per thread and per core (a few dozen per size), so with
/// more packets than that standing between two threads its returns overflowed and nearly every rent allocated: 0.6-0.7%
/// of all samples in the gateway's TUN reader during a UDP download and 3-4% in the load generator's sender during
/// an upload went to allocating arrays (docs/benchmarks.md section 10). Here one shared queue of fixed-size buffers
/// takes them back whichever thread returns them, up to <see cref="MaxRetained"/>; larger packets use the shared pool.
/// </summary>
internal static class PacketBufferPool
{
    /// <summary>Size of the pooled buffers: any tunnel packet (MTU up to 2048).</summary>
    public const int BufferSize = 2048;

    /// <summary>Most free buffers kept (16 MiB); more are left to the GC.</summary>
    public const int MaxRetained = 8192;

    private static readonly BoundedFreeList<byte[]> s_free = new(MaxRetained);

    /// <summary>Free buffers kept now.</summary>
    public static int Retained => s_free.Count;

    /// <summary>A buffer of at least <paramref name="length"/> bytes.</summary>
    public static byte[] Rent(int length)
    {
        if (length > BufferSize)
        {
            return ArrayPool<byte>.Shared.Rent(length);
        }

        return s_free.TryTake(out byte[]? buffer) ? buffer : GC.AllocateUninitializedArray<byte>(BufferSize);
    }

    /// <summary>Takes back a buffer from <see cref="Rent"/> (exactly once).</summary>
    public static void Return(byte[] buffer)
    {
        if (buffer.Length != BufferSize)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        s_free.TryAdd(buffer);
    }
}
