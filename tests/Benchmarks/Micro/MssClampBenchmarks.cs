using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Gateway.Tunnel;

namespace Benchmarks.Micro;

/// <summary><see cref="TcpMssClamp.Clamp(Span{byte}, int)"/> on a SYN that needs clamping and on an ordinary segment.</summary>
[MemoryDiagnoser]
public class MssClampBenchmarks
{
    private const int Mtu = 1400;

    private byte[] _syn = [];
    private byte[] _data = [];
    private byte[] _udp = [];

    [GlobalSetup]
    public void Setup()
    {
        _syn = Packets.Tcp(0, mss: 1460);
        _data = Packets.Tcp(1360, mss: null);
        _udp = Packets.Udp(1400);
        if (TcpMssClamp.Clamp(_syn.AsSpan(), Mtu) != MssClampResult.Clamped)
        {
            throw new InvalidOperationException("the SYN was not clamped");
        }
    }

    /// <summary>Restores MSS 1460 first (two byte stores), so every call really clamps and fixes the checksum.</summary>
    [Benchmark]
    public MssClampResult Syn_Clamped()
    {
        BinaryPrimitives.WriteUInt16BigEndian(_syn.AsSpan(20 + 22), 1460);
        return TcpMssClamp.Clamp(_syn.AsSpan(), Mtu);
    }

    [Benchmark(Baseline = true)]
    public MssClampResult TcpData_NotSyn() => TcpMssClamp.Clamp(_data.AsSpan(), Mtu);

    [Benchmark]
    public MssClampResult Udp_NotTcp() => TcpMssClamp.Clamp(_udp.AsSpan(), Mtu);
}
