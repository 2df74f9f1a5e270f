using BenchmarkDotNet.Attributes;
using Gateway.Ppp;

namespace Benchmarks.Micro;

/// <summary>PPP decode of one IPv4 data frame: the bare header parse, and the whole server receive path once Opened.</summary>
[MemoryDiagnoser]
public class PppDecodeBenchmarks
{
    private OpenedPppServer _ppp = null!;
    private byte[] _frame = [];
    private byte[] _packet = [];
    private long _now;

    [Params(64, 1400)]
    public int IpPacketSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _ppp = new OpenedPppServer();
        _packet = Packets.Udp(IpPacketSize);
        _frame = new byte[PppFrame.HeaderLength + _packet.Length];
        PppFrame.WriteIPv4Header(_frame);
        _packet.CopyTo(_frame, PppFrame.HeaderLength);
        PppReceiveResult r = _ppp.Server.Receive(_frame, 0);
        if (r.Kind != PppReceiveKind.IPv4 || r.Length != _packet.Length)
        {
            throw new InvalidOperationException($"unexpected receive result {r}");
        }
    }

    [Benchmark(Baseline = true)]
    public int FrameTryParse() =>
        PppFrame.TryParse(_frame, out ushort protocol, out int offset) == PppFrameStatus.Ok ? protocol + offset : -1;

    [Benchmark]
    public int ServerReceive() => _ppp.Server.Receive(_frame, ++_now).Length;

    [Benchmark]
    public bool ServerSendIPv4() => _ppp.Server.SendIPv4(_packet);
}
