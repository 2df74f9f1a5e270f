using System.Buffers;
using Gateway.Sstp;
using Gateway.Tests.Sstp;

namespace Gateway.Tests.Sessions;

/// <summary>
/// An SSTP engine for pump tests: no negotiation, the test puts it in Call-Connected and makes it write whatever
/// control output it wants (the pump sees the engine's output buffer only).
/// </summary>
internal sealed class ScriptedSstpSession : SstpSession
{
    public ScriptedSstpSession(ArrayBufferWriter<byte> output)
        : base(new SstpOptions(), output, new TestLogger())
    {
        AttachPpp(new FakePppEndpoint());
    }

    /// <summary>Data may flow from now on.</summary>
    public void Connect() => SetState(SstpState.CallConnected, long.MaxValue);

    /// <summary>Call-Connected with PPP raised: data packets from the peer reach the pump's host.</summary>
    public void ConnectWithPpp(long nowMs)
    {
        Connect();
        RaisePpp(nowMs);
    }

    /// <summary>Writes an encoded SSTP packet to the engine's output, as a control message or PPP frame would be.</summary>
    public void Emit(ReadOnlySpan<byte> packet) => Send(packet);

    protected override void HandleCallMessage(SstpControlMessage message, ReadOnlySpan<byte> packet, long nowMs)
    {
    }

    protected override bool IsPppControlState(SstpState state) => true;
}
