using FsCheck.Xunit;
using Gateway.Ppp;

namespace Gateway.Tests.Ppp;

public class PppFrameTests
{
    [Theory]
    [InlineData("FF 03 C0 21 09", PppProtocol.Lcp, 4)]
    [InlineData("C0 21 09", PppProtocol.Lcp, 2)]
    [InlineData("FF 03 00 21 45", PppProtocol.IPv4, 4)]
    [InlineData("FF 03 21 45", PppProtocol.IPv4, 3)]
    [InlineData("21 45", PppProtocol.IPv4, 1)]
    [InlineData("57 60", PppProtocol.IPv6, 1)]
    [InlineData("00 57 60", PppProtocol.IPv6, 2)]
    [InlineData("80 21", PppProtocol.Ipcp, 2)]
    public void Parses_with_and_without_address_control_and_protocol_compression(string hex, ushort protocol, int offset)
    {
        Assert.Equal(PppFrameStatus.Ok, PppFrame.TryParse(Hex.Parse(hex), out ushort parsed, out int informationOffset));
        Assert.Equal(protocol, parsed);
        Assert.Equal(offset, informationOffset);
    }

    [Theory]
    [InlineData("", PppFrameStatus.Empty)]
    [InlineData("FF 03", PppFrameStatus.Empty)]
    [InlineData("FF", PppFrameStatus.InvalidProtocol)]
    [InlineData("FF 04 C0 21", PppFrameStatus.InvalidProtocol)]
    [InlineData("C0", PppFrameStatus.TruncatedProtocol)]
    [InlineData("FF 03 C0", PppFrameStatus.TruncatedProtocol)]
    [InlineData("C0 22 01", PppFrameStatus.InvalidProtocol)]
    public void Rejects_malformed_frames(string hex, PppFrameStatus expected)
    {
        Assert.Equal(expected, PppFrame.TryParse(Hex.Parse(hex), out _, out _));
    }

    [Fact]
    public void Writes_full_header_for_data()
    {
        byte[] buffer = new byte[4];
        Assert.Equal(4, PppFrame.WriteIPv4Header(buffer));
        Assert.Equal("FF 03 00 21", Hex.Of(buffer));
        PppFrame.WriteIPv6Header(buffer);
        Assert.Equal("FF 03 00 57", Hex.Of(buffer));
        Assert.Equal("FF 03 00 21", Hex.Of(PppFrame.IPv4Header));
        Assert.Equal("FF 03 00 57", Hex.Of(PppFrame.IPv6Header));
        Assert.Throws<ArgumentException>(() => PppFrame.WriteIPv4Header(new byte[3]));
    }

    [Property]
    public bool Arbitrary_bytes_parse_without_throwing_and_stay_in_bounds(byte[] data)
    {
        data ??= [];
        PppFrameStatus status = PppFrame.TryParse(data, out ushort protocol, out int offset);
        return status != PppFrameStatus.Ok || (offset <= data.Length && offset >= 1 && (protocol & 1) == 1);
    }

    [Property]
    public bool Header_round_trips(ushort protocolSeed)
    {
        // Valid protocol numbers: low octet odd, high octet even (RFC 1661 2).
        ushort protocol = (ushort)((protocolSeed | 0x0001) & 0xFEFF);
        byte[] frame = new byte[5];
        PppFrame.WriteHeader(frame, protocol);
        return PppFrame.TryParse(frame, out ushort parsed, out int offset) == PppFrameStatus.Ok
            && parsed == protocol && offset == 4;
    }
}
