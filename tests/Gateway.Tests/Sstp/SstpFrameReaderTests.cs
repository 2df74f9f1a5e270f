using System.Buffers;
using FsCheck.Xunit;
using Gateway.Sstp;

namespace Gateway.Tests.Sstp;

public class SstpFrameReaderTests
{
    [Theory]
    [InlineData("11 01 00 08 00 08 00 00", SstpParseError.UnsupportedVersion)]
    [InlineData("01 01 00 08 00 08 00 00", SstpParseError.UnsupportedVersion)]
    [InlineData("10 03 00 08 00 08 00 00", SstpParseError.ReservedFlagBitsSet)]
    [InlineData("10 80 00 08 00 08 00 00", SstpParseError.ReservedFlagBitsSet)]
    [InlineData("10 01 10 08 00 08 00 00", SstpParseError.ReservedLengthBitsSet)]
    [InlineData("10 00 80 08 00 08 00 00", SstpParseError.ReservedLengthBitsSet)]
    [InlineData("10 00 00 03 00 08 00 00", SstpParseError.PacketTooShort)]
    [InlineData("10 00 00 00 00 08 00 00", SstpParseError.PacketTooShort)]
    [InlineData("10 01 00 07 00 08 00 00", SstpParseError.ControlPacketTooShort)]
    [InlineData("10 01 00 04 00 08 00 00", SstpParseError.ControlPacketTooShort)]
    public void Malformed_header_is_an_error_with_its_reason(string hex, SstpParseError expected)
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes(hex));
        var before = buffer;

        var status = SstpFrameReader.TryReadPacket(ref buffer, out _, out var error);

        Assert.Equal(SstpReadStatus.Error, status);
        Assert.Equal(expected, error);
        Assert.Equal(before.Length, buffer.Length);

        Assert.Equal(SstpReadStatus.Error, SstpFrameReader.TryReadPacket(Hex.Bytes(hex), out _, out var spanError));
        Assert.Equal(expected, spanError);
    }

    [Fact]
    public void Empty_data_packet_of_length_4_is_valid()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("10 00 00 04"));
        Assert.Equal(SstpReadStatus.Packet, SstpFrameReader.TryReadPacket(ref buffer, out var packet, out _));
        Assert.Equal(4, packet.Length);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Maximum_length_4095_is_accepted()
    {
        var bytes = new byte[4095 + 3];
        Hex.Bytes("10 00 0F FF").CopyTo(bytes, 0);
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Equal(SstpReadStatus.Packet, SstpFrameReader.TryReadPacket(ref buffer, out var packet, out _));
        Assert.Equal(4095, packet.Length);
        Assert.Equal(3, buffer.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("10 01 00")]
    [InlineData("10 01 00 08 00 08 00")]
    [InlineData("10 00 00 12 FF 03 80 21")]
    public void Incomplete_packet_needs_more_data_and_consumes_nothing(string hex)
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes(hex));
        Assert.Equal(SstpReadStatus.NeedMoreData, SstpFrameReader.TryReadPacket(ref buffer, out _, out var error));
        Assert.Equal(SstpParseError.None, error);
        Assert.Equal(Hex.Bytes(hex).Length, buffer.Length);
    }

    [Fact]
    public void Reads_consecutive_packets_from_a_split_stream()
    {
        // An echo request, then the 18-byte IPCP data packet from the sstp-client dump (reference 7.1).
        byte[] stream = Hex.Bytes("10 01 00 08 00 08 00 00  10 00 00 12 FF 03 80 21 01 01 00 0A 03 06 AC 17 18 0E");
        var buffer = TestSequence.Create(stream, [1, 3, 9, 10, 20]);

        Assert.Equal(SstpReadStatus.Packet, SstpFrameReader.TryReadPacket(ref buffer, out var first, out _));
        Assert.Equal("1001000800080000", Hex.Of(first.ToArray()));
        Assert.Equal(SstpReadStatus.Packet, SstpFrameReader.TryReadPacket(ref buffer, out var second, out _));
        Assert.Equal(18, second.Length);
        Assert.Equal("FF038021", Hex.Of(second.Slice(4, 4).ToArray()));
        Assert.Equal(SstpReadStatus.NeedMoreData, SstpFrameReader.TryReadPacket(ref buffer, out _, out _));
    }

    [Fact]
    public void Data_header_helpers_write_exact_bytes()
    {
        var header = new byte[4];
        Assert.Equal(4, SstpFrameWriter.WriteDataHeader(header, 14));
        Assert.Equal("10000012", Hex.Of(header));

        var prefix = new byte[8];
        Assert.Equal(8, SstpFrameWriter.WriteDataPrefix(prefix, 0x0021, 1400));
        Assert.Equal("10000580FF030021", Hex.Of(prefix)); // 1400 + 8 = 0x0580

        Assert.Throws<ArgumentOutOfRangeException>(() => SstpFrameWriter.WriteDataHeader(header, 4092));
        Assert.Equal(4, SstpFrameWriter.WriteDataHeader(header, 4091));
        Assert.Equal("10000FFF", Hex.Of(header));
    }

    [Property(MaxTest = 300)]
    public bool Arbitrary_bytes_never_throw_and_never_consume_on_failure(byte[] bytes)
    {
        bytes ??= [];
        var buffer = new ReadOnlySequence<byte>(bytes);
        while (true)
        {
            long before = buffer.Length;
            var status = SstpFrameReader.TryReadPacket(ref buffer, out var packet, out var error);
            if (status != SstpReadStatus.Packet)
            {
                return buffer.Length == before && (status == SstpReadStatus.Error) == (error != SstpParseError.None);
            }

            if (packet.Length < 4 || buffer.Length != before - packet.Length)
            {
                return false;
            }
        }
    }

    [Property(MaxTest = 300)]
    public bool Any_segmentation_gives_the_same_packets(byte[][] payloads, bool[] controls, byte[] tail, int[] cuts)
    {
        payloads ??= [];
        controls ??= [];
        var stream = new List<byte>();
        for (int i = 0; i < payloads.Length; i++)
        {
            byte[] payload = (payloads[i] ?? []).Take(200).ToArray();
            bool control = i < controls.Length && controls[i];
            if (control && payload.Length < 4)
            {
                payload = [0, 8, 0, 0];
            }

            var header = new byte[4];
            Gateway.Sstp.SstpPacketHeader.Write(header, control, payload.Length + 4);
            stream.AddRange(header);
            stream.AddRange(payload);
        }

        stream.AddRange(tail ?? []);
        byte[] data = stream.ToArray();
        var cutPoints = (cuts ?? []).Select(c => data.Length == 0 ? 0 : (int)((uint)c % (uint)(data.Length + 1)));

        return ReadAll(new ReadOnlySequence<byte>(data)) == ReadAll(TestSequence.Create(data, cutPoints));
    }

    private static string ReadAll(ReadOnlySequence<byte> buffer)
    {
        var result = new System.Text.StringBuilder();
        while (true)
        {
            var status = SstpFrameReader.TryReadPacket(ref buffer, out var packet, out var error);
            result.Append(status).Append(':').Append(error).Append(':');
            if (status != SstpReadStatus.Packet)
            {
                return result.Append(buffer.Length).ToString();
            }

            result.Append(Convert.ToHexString(packet.ToArray())).Append('|');
        }
    }
}
