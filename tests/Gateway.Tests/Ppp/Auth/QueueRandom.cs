namespace Gateway.Tests.Ppp.Auth;

/// <summary>
/// Deterministic random source: each call takes the next queued chunk (which must have the requested length);
/// when the queue is empty, bytes come from a counter.
/// </summary>
internal sealed class QueueRandom
{
    private readonly Queue<byte[]> _chunks;
    private byte _counter;

    public QueueRandom(params byte[][] chunks)
    {
        _chunks = new Queue<byte[]>(chunks);
    }

    public void Fill(Span<byte> destination)
    {
        if (_chunks.Count > 0)
        {
            byte[] chunk = _chunks.Dequeue();
            Assert.Equal(destination.Length, chunk.Length);
            chunk.CopyTo(destination);
            return;
        }

        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = ++_counter;
        }
    }
}
