using System.Buffers;
using System.IO.Pipelines;
using Gateway.Edge;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Edge;

public class ReadDeadlineTests
{
    [Fact]
    public async Task Expiry_CancelsThePendingRead()
    {
        var time = new FakeTimeProvider();
        var pipe = new Pipe();
        using var deadline = new ReadDeadline(pipe.Reader, TimeSpan.FromSeconds(10), time);
        ValueTask<ReadResult> read = pipe.Reader.ReadAsync();
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(read.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        ReadResult result = await read;
        Assert.True(result.IsCanceled);
    }

    [Fact]
    public async Task ExpiryBetweenReads_IsSwallowedByStop_SoTheNextReaderSeesData()
    {
        var time = new FakeTimeProvider();
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 1, 2, 3 });
        var deadline = new ReadDeadline(pipe.Reader, TimeSpan.FromSeconds(10), time);
        ReadResult peek = await pipe.Reader.ReadAsync();
        pipe.Reader.AdvanceTo(peek.Buffer.Start);

        time.Advance(TimeSpan.FromSeconds(10)); // fires while nobody is reading
        await deadline.StopAsync();

        ReadResult next = await pipe.Reader.ReadAsync();
        Assert.False(next.IsCanceled);
        Assert.Equal(new byte[] { 1, 2, 3 }, next.Buffer.ToArray());
    }

    [Fact]
    public async Task AfterStop_TheTimerNoLongerFires()
    {
        var time = new FakeTimeProvider();
        var pipe = new Pipe();
        var deadline = new ReadDeadline(pipe.Reader, TimeSpan.FromSeconds(10), time);
        await deadline.StopAsync();
        ValueTask<ReadResult> read = pipe.Reader.ReadAsync();
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.False(read.IsCompleted);
        await pipe.Writer.WriteAsync(new byte[] { 9 });
        Assert.False((await read).IsCanceled);
    }
}
