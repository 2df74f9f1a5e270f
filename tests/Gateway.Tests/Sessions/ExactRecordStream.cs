namespace Gateway.Tests.Sessions;

/// <summary>
/// Sits under an SslStream and hands it at most the rest of the current TLS record per read, the way OpenSSL
/// reads without read-ahead (5-byte header, then exactly the record body): whatever the next records hold stays in
/// the kernel's socket buffer, where <c>Socket.Poll</c> sees it.
/// </summary>
internal sealed class ExactRecordStream(Stream inner) : Stream
{
    private readonly byte[] _header = new byte[5];
    private int _headerServed = 5;
    private int _bodyLeft;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0)
        {
            return 0;
        }

        if (_headerServed == 5 && _bodyLeft == 0)
        {
            int got = 0;
            while (got < 5)
            {
                int n = await inner.ReadAsync(_header.AsMemory(got), cancellationToken);
                if (n == 0)
                {
                    return 0;
                }

                got += n;
            }

            _headerServed = 0;
            _bodyLeft = (_header[3] << 8) | _header[4];
        }

        if (_headerServed < 5)
        {
            int n = Math.Min(buffer.Length, 5 - _headerServed);
            _header.AsMemory(_headerServed, n).CopyTo(buffer);
            _headerServed += n;
            return n;
        }

        int read = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, _bodyLeft)], cancellationToken);
        _bodyLeft -= read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
