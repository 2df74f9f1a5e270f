using System.Buffers;
using System.Text;
using Gateway.Edge;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Edge;

public class TransportMemoryPoolTests
{
    [Fact]
    public void Rent_GivesAWholeBlock_AndReusesItsArrayAfterDispose()
    {
        using var pool = new TransportMemoryPool(65536, 4);
        IMemoryOwner<byte> first = pool.Rent(2048);
        Assert.Equal(65536, first.Memory.Length);
        Assert.Equal(65536, pool.MaxBufferSize);
        first.Memory.Span[0] = 0x5A;
        first.Dispose();
        Assert.Equal(1, pool.Retained);

        using IMemoryOwner<byte> second = pool.Rent();
        Assert.Equal(0x5A, second.Memory.Span[0]); // the same array again, nothing new allocated
        Assert.Equal(1, pool.Allocated);
        Assert.Equal(2, pool.Rents);
    }

    [Fact]
    public void DisposingALeaseTwice_ReturnsTheBlockOnce()
    {
        using var pool = new TransportMemoryPool(8192, 4);
        IMemoryOwner<byte> block = pool.Rent();
        block.Dispose();
        block.Dispose();
        Assert.Equal(1, pool.Retained);

        // Were it queued twice, two rents would share one array.
        using IMemoryOwner<byte> a = pool.Rent();
        using IMemoryOwner<byte> b = pool.Rent();
        Assert.NotEqual(a, b);
        Assert.Equal(2, pool.Allocated);
    }

    [Fact]
    public void ReturnedBlocks_BeyondTheRetainedBound_AreNotKept()
    {
        using var pool = new TransportMemoryPool(4096, 2);
        IMemoryOwner<byte>[] blocks = [pool.Rent(), pool.Rent(), pool.Rent()];
        foreach (IMemoryOwner<byte> b in blocks)
        {
            b.Dispose();
        }

        Assert.Equal(2, pool.Retained);
        Assert.Equal(3, pool.Allocated);
    }

    [Fact]
    public void Rent_LargerThanABlock_Throws_AndAfterDisposeOfThePool_Throws()
    {
        var pool = new TransportMemoryPool(4096, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(4097));
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }

    [Fact]
    public async Task KestrelsSocketTransport_RentsFromThePool_AndBytesSurviveTheRoundTrip()
    {
        await using var host = await EdgeTestHost.StartAsync();
        var factory = host.Services.GetRequiredService<TransportMemoryPoolFactory>();
        Assert.Same(factory, host.Services.GetRequiredService<IMemoryPoolFactory<byte>>());

        var (tcp, tls) = await host.ConnectTlsAsync();
        using (tcp)
        await using (tls)
        {
            await tls.WriteAsync(Encoding.ASCII.GetBytes(SstpRequestHeadParserTests.WindowsHead));
            await EdgeTestHost.ReadHeadAsync(tls);
            // 200 KB through the echo handler: several full 64 KiB blocks each way, in order.
            byte[] payload = new byte[200_000];
            new Random(7).NextBytes(payload);
            Task write = tls.WriteAsync(payload).AsTask();
            Assert.Equal(payload, await EdgeTestHost.ReadExactlyAsync(tls, payload.Length));
            await write;
        }

        Assert.Contains(factory.Pools, p => p.Rents > 0 && p.MaxBufferSize == 65536);
    }

    [Fact]
    public async Task WithZeroBlockBytes_KestrelKeepsItsOwnPool()
    {
        await using var host = await EdgeTestHost.StartAsync(new() { ["Edge:TransportBlockBytes"] = "0" });
        Assert.Null(host.Services.GetService<TransportMemoryPoolFactory>());
        Assert.IsNotType<TransportMemoryPoolFactory>(host.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
    }
}
