using Gateway.Ppp;

namespace Gateway.Tests.Ppp;

public class PppDataPathAllocationTests
{
    [Fact]
    public void Receiving_and_sending_IPv4_allocates_nothing()
    {
        var h = new ServerHarness();
        h.OpenIpcp();
        byte[] frame = Hex.Parse("FF 03 00 21 45 00 00 14 00 01 00 00 40 11 00 00 0A 00 00 02 08 08 08 08");
        byte[] packet = frame.AsSpan(4).ToArray();
        h.Sink.CountOnly = true;
        h.Server.Receive(frame, 0);
        h.Server.SendIPv4(packet);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int total = 0;
        for (int i = 0; i < 1000; i++)
        {
            total += h.Server.Receive(frame, i).Length;
            h.Server.SendIPv4(packet);
        }

        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(1000 * 20, total);
        Assert.Equal(1001, h.Sink.Counted);
        Assert.Equal(0, after - before);
    }
}
