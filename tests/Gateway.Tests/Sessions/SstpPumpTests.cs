using System.Buffers;
using System.IO.Pipelines;
using Gateway.Sessions;
using Gateway.Sstp;
using Gateway.Tests.Sstp;
using Gateway.Tunnel;

namespace Gateway.Tests.Sessions;

public sealed class SstpPumpTests
{
    /// <summary>
    /// Seen with the real sstpc in the interop VM: the client dropped the connection right after the HTTP 200, so
    /// the connection-closed token was already cancelled when the pump started. The session then logged
    /// "unexpected error InvalidOperationException: Start was already called." instead of ending quietly.
    /// </summary>
    [Fact]
    public async Task A_connection_closed_before_the_pump_starts_ends_the_call_without_an_error()
    {
        var control = new ArrayBufferWriter<byte>();
        var engine = new SstpServerSession(new SstpOptions(), new byte[20], new byte[32], control, new TestLogger());
        engine.AttachPpp(new FakePppEndpoint());
        var fromPeer = new Pipe();
        var toPeer = new Pipe();
        using var pump = new SstpPump(new Duplex(fromPeer.Reader, toPeer.Writer), engine, control, new EgressQueue(), 64 * 1024, TimeProvider.System);
        using var closed = new CancellationTokenSource();
        await closed.CancelAsync();

        await pump.RunAsync(new NoHost(), now => engine.Start(now), closed.Token).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(SstpState.Closed, engine.State);
        Assert.Equal("connection closed", pump.LostReason);
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private sealed class NoHost : ISstpPumpHost
    {
        public void AfterEngineCall(long nowMs)
        {
        }

        public void OnIpPacket(SstpInputKind kind, Span<byte> packet)
        {
        }
    }
}
