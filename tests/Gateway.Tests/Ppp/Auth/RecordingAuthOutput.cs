using Gateway.Ppp.Auth;

namespace Gateway.Tests.Ppp.Auth;

/// <summary>Captures what an authenticator sends; <see cref="Drain"/> hands the packets to the other side.</summary>
internal sealed class RecordingAuthOutput : IAuthOutput
{
    public List<(ushort Protocol, byte[] Packet)> Sent { get; } = [];

    private int _delivered;

    public void Send(ushort protocol, ReadOnlySpan<byte> packet) => Sent.Add((protocol, packet.ToArray()));

    public byte[] Last => Sent[^1].Packet;

    /// <summary>Packets not yet handed over.</summary>
    public List<(ushort Protocol, byte[] Packet)> Drain()
    {
        List<(ushort, byte[])> pending = Sent.GetRange(_delivered, Sent.Count - _delivered);
        _delivered = Sent.Count;
        return pending;
    }
}
