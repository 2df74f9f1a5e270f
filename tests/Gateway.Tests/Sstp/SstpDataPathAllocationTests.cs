using System.Buffers;
using Gateway.Ppp;
using Gateway.Sstp;
using static Gateway.Tests.Sstp.SessionHarness;

namespace Gateway.Tests.Sstp;

/// <summary>The data path (data packet in, PPP frame out, prefix writer) allocates nothing per packet.</summary>
public class SstpDataPathAllocationTests
{
    private sealed class IpOnlyPpp : IPppEndpoint
    {
        public long NextDeadlineMs => long.MaxValue;

        public bool IsTerminated => false;

        public void LowerUp(long nowMs)
        {
        }

        public void LowerDown()
        {
        }

        public PppReceiveResult Receive(ReadOnlySpan<byte> frame, long nowMs) => new(PppReceiveKind.IPv4, 4, frame.Length - 4);

        public void OnTimer(long nowMs)
        {
        }

        public void Close(string reason, long nowMs)
        {
        }
    }

    [Fact]
    public void Receiving_and_sending_data_packets_does_not_allocate()
    {
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        var server = new SstpServerSession(new SstpOptions(), CertSha1, CertSha256, output, new TestLogger(), () => (byte[])FixedNonce.Clone());
        server.AttachPpp(new IpOnlyPpp());
        server.Start(0);
        server.Receive(SstpControlMessage.CallConnectRequest().ToArray(), 0);
        server.OnHigherLayerAuthenticated(Hlak, 0);
        server.Receive(CallConnected(SstpHashProtocol.Sha256, FixedNonce, Hlak), 0);
        Assert.True(server.DataAllowed);
        output.Clear();

        byte[] packet = DataPacket(Ipv4Frame);
        var prefix = new byte[8];
        int ipCount = 0;

        // Warm up (JIT), then measure.
        for (int round = 0; round < 2; round++)
        {
            output.Clear();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1_000; i++)
            {
                if (server.Receive(packet, 1).Kind == SstpInputKind.IPv4)
                {
                    ipCount++;
                }

                server.SendFrame(Ipv4Frame);
                server.WriteDataPacketHeader(prefix, 0x0021, 1400);
                server.OnTimer(2);
                _ = server.NextDeadlineMs;
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (round == 1)
            {
                Assert.Equal(0, allocated);
            }
        }

        Assert.Equal(2_000, ipCount);
    }
}
