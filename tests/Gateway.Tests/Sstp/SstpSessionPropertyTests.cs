using System.Buffers;
using FsCheck.Xunit;
using Gateway.Sstp;
using static Gateway.Tests.Sstp.SessionHarness;

namespace Gateway.Tests.Sstp;

/// <summary>Whatever a client sends, the server session answers with well-formed packets and never throws.</summary>
public class SstpSessionPropertyTests
{
    [Property(MaxTest = 300)]
    public bool Server_survives_arbitrary_packets_in_every_phase(byte phase, byte[][] bodies, bool[] controls, byte[] types)
    {
        var output = new ArrayBufferWriter<byte>();
        var ppp = new FakePppEndpoint();
        var server = new SstpServerSession(new SstpOptions(), CertSha1, CertSha256, output, new TestLogger(), () => (byte[])FixedNonce.Clone());
        ppp.Sink = server;
        server.AttachPpp(ppp);
        server.Start(0);
        if (phase % 3 >= 1)
        {
            server.Receive(SstpControlMessage.CallConnectRequest().ToArray(), 0);
        }

        if (phase % 3 == 2)
        {
            server.OnHigherLayerAuthenticated(Hlak, 0);
            server.Receive(CallConnected(SstpHashProtocol.Sha256, FixedNonce, Hlak), 0);
        }

        bodies ??= [];
        long now = 1;
        for (int i = 0; i < bodies.Length; i++)
        {
            byte[] body = (bodies[i] ?? []).Take(300).ToArray();
            bool control = controls is not null && i < controls.Length && controls[i];
            var packet = new byte[4 + Math.Max(body.Length, control ? 4 : 0)];
            body.CopyTo(packet, 4);
            if (control && types is not null && i < types.Length)
            {
                packet[5] = (byte)(types[i] % 11);
            }

            SstpPacketHeader.Write(packet, control, packet.Length);
            var input = server.Receive(packet, now);
            if (input.Kind is SstpInputKind.IPv4 or SstpInputKind.IPv6 && input.Offset + input.Length > packet.Length)
            {
                return false;
            }

            server.OnTimer(now += 500);
        }

        server.OnTimer(now + 200_000);
        server.OnTimer(now + 400_000);

        // Everything written must be complete, valid packets; after enough time the session has ended.
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        while (SstpFrameReader.TryReadPacket(ref buffer, out _, out _) == SstpReadStatus.Packet)
        {
        }

        return buffer.IsEmpty && server.IsClosed;
    }
}
