using FsCheck.Xunit;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

public class TcpMssClampTests
{
    [Theory]
    [InlineData(nameof(TestPackets.V4Syn), nameof(TestPackets.V4SynClamped))]
    [InlineData(nameof(TestPackets.V4SynAck), nameof(TestPackets.V4SynAckClamped))]
    [InlineData(nameof(TestPackets.V4SynOdd), nameof(TestPackets.V4SynOddClamped))]
    [InlineData(nameof(TestPackets.V6Syn), nameof(TestPackets.V6SynClamped))]
    [InlineData(nameof(TestPackets.V6SynAck), nameof(TestPackets.V6SynAckClamped))]
    [InlineData(nameof(TestPackets.V6SynHopByHop), nameof(TestPackets.V6SynHopByHopClamped))]
    public void Clamps_to_exact_bytes_with_valid_checksums(string input, string expected)
    {
        byte[] packet = Packet(input);
        Assert.True(TestPackets.ChecksumsValid(packet));
        Assert.Equal(MssClampResult.Clamped, TcpMssClamp.Clamp(packet, 1400));
        Assert.Equal(Convert.ToHexString(Packet(expected)), Convert.ToHexString(packet));
        Assert.True(TestPackets.ChecksumsValid(packet));
    }

    [Fact]
    public void Clamp_values_follow_the_mtu()
    {
        Assert.Equal(1360, TcpMssClamp.MssForIpv4Mtu(1400));
        Assert.Equal(1340, TcpMssClamp.MssForIpv6Mtu(1400));
        Assert.Equal(1460, TcpMssClamp.MssForIpv4Mtu(1500));
    }

    [Theory]
    [InlineData(nameof(TestPackets.V4SynNoMss), MssClampResult.NoMssOption)]
    [InlineData(nameof(TestPackets.V4SynSmallMss), MssClampResult.AlreadyWithinLimit)]
    [InlineData(nameof(TestPackets.V4Ack), MssClampResult.NotTcpSyn)]
    public void Leaves_other_packets_untouched(string input, MssClampResult expected)
    {
        byte[] packet = Packet(input);
        Assert.Equal(expected, TcpMssClamp.Clamp(packet, 1400));
        Assert.Equal(Packet(input), packet);
    }

    [Fact]
    public void Leaves_udp_and_an_already_clamped_syn_untouched()
    {
        byte[] udp = TestPackets.Udp4("10.213.0.2", "10.213.1.1", 1, 2, [1, 2, 3]);
        byte[] copy = (byte[])udp.Clone();
        Assert.Equal(MssClampResult.NotTcpSyn, TcpMssClamp.Clamp(udp, 1400));
        Assert.Equal(copy, udp);

        byte[] clamped = Packet(nameof(TestPackets.V4SynClamped));
        Assert.Equal(MssClampResult.AlreadyWithinLimit, TcpMssClamp.Clamp(clamped, 1400));
        Assert.Equal(Packet(nameof(TestPackets.V4SynClamped)), clamped);
    }

    [Fact]
    public void A_larger_mtu_does_not_raise_the_mss()
    {
        byte[] packet = Packet(nameof(TestPackets.V4Syn));
        Assert.Equal(MssClampResult.AlreadyWithinLimit, TcpMssClamp.Clamp(packet, 1500));
    }

    [Fact]
    public void Non_first_fragment_is_not_touched()
    {
        byte[] packet = Packet(nameof(TestPackets.V4Syn));
        packet[6] = 0x00;
        packet[7] = 0x10; // fragment offset 16 * 8 bytes
        Assert.Equal(MssClampResult.NotTcpSyn, TcpMssClamp.Clamp(packet, 1400));
    }

    [Fact]
    public void Option_running_past_the_header_is_malformed()
    {
        byte[] packet = Packet(nameof(TestPackets.V4SynSmallMss));
        packet[41] = 9; // MSS option length 9 with 4 bytes of options
        Assert.Equal(MssClampResult.Malformed, TcpMssClamp.Clamp(packet, 1400));
        Assert.Equal(MssClampResult.Malformed, TcpMssClamp.Clamp(packet.AsSpan(0, 30), 1400));
    }

    [Property(MaxTest = 1000)]
    public bool Clamped_packets_always_keep_a_valid_checksum(ushort mssSeed, byte nops, ushort sport)
    {
        // FsCheck's ushorts are small; spread them around the 1360 limit so both outcomes are exercised.
        ushort mss = (ushort)(900 + mssSeed * 7 % 1000);
        // A SYN with NOP padding of varying length before the MSS option (odd and even offsets).
        int pad = nops % 8;
        int optionLength = (pad + 4 + 3) & ~3;
        byte[] options = new byte[optionLength];
        options.AsSpan(0, pad).Fill(1);
        options[pad] = 2;
        options[pad + 1] = 4;
        options[pad + 2] = (byte)(mss >> 8);
        options[pad + 3] = (byte)mss;
        byte[] packet = new byte[40 + optionLength];
        packet[0] = 0x45;
        packet[3] = (byte)packet.Length;
        packet[8] = 64;
        packet[9] = 6;
        packet[12] = 10; packet[13] = 213; packet[15] = 2;
        packet[16] = 10; packet[17] = 213; packet[18] = 1; packet[19] = 1;
        IpPacket.WriteIpv4HeaderChecksum(packet);
        packet[20] = (byte)(sport >> 8);
        packet[21] = (byte)sport;
        packet[23] = 80;
        packet[32] = (byte)((20 + optionLength) / 4 << 4);
        packet[33] = 0x02;
        options.CopyTo(packet, 40);
        byte[] pseudo = [.. packet[12..20], 0, 6, 0, (byte)(20 + optionLength)];
        ushort sum = (ushort)~TestPackets.NaiveSum(pseudo, packet[20..]);
        packet[36] = (byte)(sum >> 8);
        packet[37] = (byte)sum;

        MssClampResult result = TcpMssClamp.Clamp(packet, 1400);
        ushort after = (ushort)(packet[40 + pad + 2] << 8 | packet[40 + pad + 3]);
        return TestPackets.ChecksumsValid(packet)
            && (mss > 1360 ? result == MssClampResult.Clamped && after == 1360 : result == MssClampResult.AlreadyWithinLimit && after == mss);
    }

    private static byte[] Packet(string name) =>
        TestPackets.Bytes((string)typeof(TestPackets).GetField(name)!.GetValue(null)!);
}
