using System.Collections.Concurrent;

namespace Gateway.Tests.Sessions;

/// <summary>A write-only stream that keeps every write as its own entry: the write (and so TLS record) boundaries.</summary>
internal sealed class RecordingStream : Stream
{
    private long _total;

    public ConcurrentQueue<byte[]> Writes { get; } = new();

    public long TotalBytes => Interlocked.Read(ref _total);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Record(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => Record(buffer);

    /// <summary>How long each asynchronous write takes (zero: writes complete at once).</summary>
    public TimeSpan WriteDelay { get; init; }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (WriteDelay > TimeSpan.Zero)
        {
            await Task.Delay(WriteDelay, cancellationToken);
        }

        Record(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Record(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Record(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
        {
            return;
        }

        Writes.Enqueue(bytes.ToArray());
        Interlocked.Add(ref _total, bytes.Length);
    }
}
