using FsCheck.Xunit;
using Gateway.Ppp;

namespace Gateway.Tests.Ppp;

public class CpPacketTests
{
    [Fact]
    public void Parses_header_and_ignores_padding_after_length()
    {
        byte[] input = Hex.Parse("01 2A 00 0A 01 04 05 DC 00 00 EE EE");
        Assert.Equal(CpParseStatus.Ok, CpPacket.TryParse(input, out CpPacket packet));
        Assert.Equal(CpCode.ConfigureRequest, packet.Code);
        Assert.Equal(0x2A, packet.Identifier);
        Assert.Equal("01 04 05 DC 00 00", Hex.Of(packet.Data));
        Assert.Equal(10, packet.Whole.Length);
    }

    [Theory]
    [InlineData("01 01 00", CpParseStatus.TooShortForHeader)]
    [InlineData("01 01 00 03", CpParseStatus.LengthBelowHeader)]
    [InlineData("01 01 00 08 01 04", CpParseStatus.LengthExceedsData)]
    public void Reports_malformed_header(string hex, CpParseStatus expected)
    {
        Assert.Equal(expected, CpPacket.TryParse(Hex.Parse(hex), out _));
    }

    [Theory]
    [InlineData("", CpParseStatus.Ok)]
    [InlineData("01 04 05 DC 07 02", CpParseStatus.Ok)]
    [InlineData("01", CpParseStatus.OptionTruncated)]
    [InlineData("01 04 05", CpParseStatus.OptionLengthInvalid)]
    [InlineData("07 01", CpParseStatus.OptionLengthInvalid)]
    [InlineData("07 00 01 02", CpParseStatus.OptionLengthInvalid)]
    public void Validates_options(string hex, CpParseStatus expected)
    {
        Assert.Equal(expected, CpPacket.ValidateOptions(Hex.Parse(hex)));
    }

    [Fact]
    public void Enumerates_options()
    {
        List<string> seen = [];
        foreach (CpOption option in CpPacket.EnumerateOptions(Hex.Parse("01 04 05 DC 07 02 0D 03 06")))
        {
            seen.Add(option.Type + ":" + Hex.Of(option.Value));
        }

        Assert.Equal(["1:05 DC", "7:", "13:06"], seen);
    }

    [Fact]
    public void Writes_packet()
    {
        byte[] buffer = new byte[16];
        int length = CpPacket.Write(buffer, CpCode.ConfigureReject, 5, Hex.Parse("07 02 08 02"));
        Assert.Equal("04 05 00 08 07 02 08 02", Hex.Of(buffer.AsSpan(0, length)));
        Assert.Throws<ArgumentException>(() => CpPacket.Write(new byte[5], 1, 1, Hex.Parse("07 02")));
    }

    [Property]
    public bool Arbitrary_bytes_never_throw(byte[] data)
    {
        data ??= [];
        CpParseStatus status = CpPacket.TryParse(data, out CpPacket packet);
        if (status == CpParseStatus.Ok)
        {
            CpPacket.ValidateOptions(packet.Data);
            int count = 0;
            foreach (CpOption option in CpPacket.EnumerateOptions(packet.Data))
            {
                count += option.Raw.Length;
            }

            return count <= packet.Data.Length;
        }

        return true;
    }

    [Property]
    public bool Round_trips(byte code, byte identifier, byte[] data)
    {
        data ??= [];
        byte[] buffer = new byte[data.Length + 4];
        CpPacket.Write(buffer, code, identifier, data);
        return CpPacket.TryParse(buffer, out CpPacket packet) == CpParseStatus.Ok
            && packet.Code == code && packet.Identifier == identifier && packet.Data.SequenceEqual(data);
    }
}
