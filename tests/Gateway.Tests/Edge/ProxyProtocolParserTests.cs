using System.Buffers;
using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using Gateway.Edge;

namespace Gateway.Tests.Edge;

public class ProxyProtocolParserTests
{
    // haproxy proxy-protocol.txt 2.1 examples and worst cases.
    private const string V1Tcp4Example = "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n";
    private const string V1Tcp4WorstCase = "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n";
    private const string V1Tcp6WorstCase = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
    private const string V1UnknownShort = "PROXY UNKNOWN\r\n";
    private const string V1UnknownWorstCase = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";

    // A v2 header written by haproxy (TCP over IPv4, PROXY), followed by the proxied "GET " of the client.
    private static readonly byte[] V2HaproxyCapture =
    [
        0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c,
        0xac, 0x13, 0x00, 0x01, 0xac, 0x13, 0x00, 0x03, 0xa6, 0x52, 0x00, 0x50, 0x47, 0x45, 0x54, 0x20,
    ];

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    private static (ProxyProtocolParseStatus Status, ProxyProtocolHeader Header, long Consumed) Parse(ReadOnlySequence<byte> input)
    {
        ProxyProtocolParseStatus status = ProxyProtocolParser.TryParse(input, out ProxyProtocolHeader header, out SequencePosition consumed);
        return (status, header, status == ProxyProtocolParseStatus.Done ? input.Slice(0, consumed).Length : 0);
    }

    private static (ProxyProtocolParseStatus Status, ProxyProtocolHeader Header, long Consumed) Parse(byte[] input) => Parse(new ReadOnlySequence<byte>(input));

    [Fact]
    public void V1_Tcp4_Example()
    {
        byte[] input = Ascii(V1Tcp4Example + "GET / HTTP/1.1\r\n");
        var (status, header, consumed) = Parse(input);
        Assert.Equal(ProxyProtocolParseStatus.Done, status);
        Assert.Equal(V1Tcp4Example.Length, consumed);
        Assert.Equal(1, header.Version);
        Assert.False(header.IsLocal);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.168.0.1"), 56324), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.168.0.11"), 443), header.Destination);
    }

    [Fact]
    public void V1_Tcp4_WorstCase_Is56Bytes()
    {
        Assert.Equal(56, V1Tcp4WorstCase.Length);
        var (status, header, consumed) = Parse(Ascii(V1Tcp4WorstCase));
        Assert.Equal(ProxyProtocolParseStatus.Done, status);
        Assert.Equal(56, consumed);
        Assert.Equal(new IPEndPoint(IPAddress.Broadcast, 65535), header.Source);
    }

    [Fact]
    public void V1_Tcp6_WorstCase_Is104Bytes()
    {
        Assert.Equal(104, V1Tcp6WorstCase.Length);
        var (status, header, consumed) = Parse(Ascii(V1Tcp6WorstCase));
        Assert.Equal(ProxyProtocolParseStatus.Done, status);
        Assert.Equal(104, consumed);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 65535), header.Destination);
    }

    [Theory]
    [InlineData(V1UnknownShort)]
    [InlineData(V1UnknownWorstCase)]
    public void V1_Unknown_KeepsRealAddresses(string line)
    {
        var (status, header, consumed) = Parse(Ascii(line + "\x16\x03\x01"));
        Assert.Equal(ProxyProtocolParseStatus.Done, status);
        Assert.Equal(line.Length, consumed);
        Assert.Null(header.Source);
        Assert.Null(header.Destination);
    }

    [Fact]
    public void V1_UnknownWorstCase_IsTheMaximum107Bytes()
    {
        Assert.Equal(ProxyProtocolParser.V1MaxLength, V1UnknownWorstCase.Length);

        // One more character and no CRLF within 107 bytes: malformed, not "need more".
        string tooLong = V1UnknownWorstCase.Replace(" 65535\r\n", " 655350\r\n", StringComparison.Ordinal);
        Assert.Equal(ProxyProtocolParseStatus.Invalid, Parse(Ascii(tooLong)).Status);
    }

    [Theory]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n")]           // bare LF
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX")]          // CR without LF
    [InlineData("PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n")]        // double space
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n")]        // trailing space
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n")]           // missing port
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n")]       // extra field
    [InlineData("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n")]           // short IPv4
    [InlineData("PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n")]       // octet out of range
    [InlineData("PROXY TCP4 ::1 5.6.7.8 1 2\r\n")]             // IPv6 under TCP4
    [InlineData("PROXY TCP6 1.2.3.4 ::1 1 2\r\n")]             // IPv4 under TCP6
    [InlineData("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n")]        // scope id
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n")]     // port out of range
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n")]        // leading zero
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n")]        // sign
    [InlineData("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n")]         // unknown protocol
    [InlineData("PROXY \r\n")]
    [InlineData("PROXY\r\n")]
    [InlineData("proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n")]         // case matters
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 \u00e9\r\n")]    // non-ASCII
    [InlineData("GET / HTTP/1.1\r\n")]
    public void V1_Malformed_IsInvalid(string line)
    {
        byte[] input = Encoding.Latin1.GetBytes(line);
        foreach (ReadOnlySequence<byte> split in TestSequence.AllSplits(input))
        {
            Assert.Equal(ProxyProtocolParseStatus.Invalid, Parse(split).Status);
        }
    }

    [Theory]
    [InlineData(V1Tcp4Example)]
    [InlineData(V1Tcp6WorstCase)]
    [InlineData(V1UnknownWorstCase)]
    public void V1_EveryProperPrefix_IsIncomplete(string line)
    {
        byte[] input = Ascii(line);
        for (int n = 0; n < input.Length; n++)
        {
            Assert.Equal(ProxyProtocolParseStatus.Incomplete, Parse(input[..n]).Status);
        }
    }

    [Fact]
    public void V2_HaproxyCapture()
    {
        var (status, header, consumed) = Parse(V2HaproxyCapture);
        Assert.Equal(ProxyProtocolParseStatus.Done, status);
        Assert.Equal(28, consumed);
        Assert.Equal(2, header.Version);
        Assert.False(header.IsLocal);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("172.19.0.1"), 42578), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("172.19.0.3"), 80), header.Destination);
    }

    [Fact]
    public void V2_Ipv6_WithTlvs_SkipsTheTlvs()
    {
        byte[] tlv = [0x01, 0x00, 0x02, (byte)'h', (byte)'2']; // PP2_TYPE_ALPN "h2"
        byte[] input = V2Header(0x21, 0x21, 36 + tlv.Length,
            [.. IPAddress.Parse("2001:db8::7").GetAddressBytes(), .. IPAddress.Parse("2001:db8::1").GetAddressBytes(), 0x9c, 0x40, 0x01, 0xbb, .. tlv, 0x16]);
        var (status, header, consumed) = Parse(input);
        Assert.Equal(ProxyProtocolParseStatus.Done, status);
        Assert.Equal(16 + 36 + tlv.Length, consumed);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 40000), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 443), header.Destination);
    }

    [Fact]
    public void V2_Local_KeepsRealAddresses()
    {
        var (status, header, consumed) = Parse(V2Header(0x20, 0x00, 0, []));
        Assert.Equal(ProxyProtocolParseStatus.Done, status);
        Assert.Equal(16, consumed);
        Assert.True(header.IsLocal);
        Assert.Null(header.Source);
    }

    [Fact]
    public void V2_Local_WithAddresses_IgnoresThem()
    {
        var (status, header, consumed) = Parse(V2Header(0x20, 0x11, 12, [1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2]));
        Assert.Equal(ProxyProtocolParseStatus.Done, status);
        Assert.Equal(28, consumed);
        Assert.True(header.IsLocal);
        Assert.Null(header.Source);
    }

    [Fact]
    public void V2_ProxyUnspec_KeepsRealAddresses()
    {
        var (status, header, _) = Parse(V2Header(0x21, 0x00, 0, []));
        Assert.Equal(ProxyProtocolParseStatus.Done, status);
        Assert.False(header.IsLocal);
        Assert.Null(header.Source);
    }

    [Theory]
    [InlineData(0x11, 0x11, 12)] // version 1 in the binary format
    [InlineData(0x22, 0x11, 12)] // command 2 unassigned
    [InlineData(0x21, 0x41, 12)] // family 4 unassigned
    [InlineData(0x21, 0x13, 12)] // transport 3 unassigned
    [InlineData(0x21, 0x11, 11)] // IPv4 block too short
    [InlineData(0x21, 0x21, 12)] // IPv6 block too short
    public void V2_Malformed_IsInvalid(byte verCmd, byte family, int length)
    {
        byte[] input = V2Header(verCmd, family, length, new byte[length]);
        foreach (ReadOnlySequence<byte> split in TestSequence.AllSplits(input))
        {
            Assert.Equal(ProxyProtocolParseStatus.Invalid, Parse(split).Status);
        }
    }

    [Fact]
    public void V2_EveryProperPrefix_IsIncomplete()
    {
        byte[] header = V2HaproxyCapture[..28];
        for (int n = 0; n < header.Length; n++)
        {
            Assert.Equal(ProxyProtocolParseStatus.Incomplete, Parse(header[..n]).Status);
        }
    }

    [Fact]
    public void V2_BadSignature_IsInvalid()
    {
        byte[] input = (byte[])V2HaproxyCapture.Clone();
        input[7] = (byte)'q';
        Assert.Equal(ProxyProtocolParseStatus.Invalid, Parse(input).Status);
    }

    [Fact]
    public void AllVectors_SameResultForEverySplit()
    {
        byte[][] vectors = [Ascii(V1Tcp4Example + "GET"), Ascii(V1Tcp6WorstCase), Ascii(V1UnknownWorstCase + "x"), V2HaproxyCapture];
        foreach (byte[] vector in vectors)
        {
            var expected = Parse(vector);
            Assert.Equal(ProxyProtocolParseStatus.Done, expected.Status);
            foreach (ReadOnlySequence<byte> split in TestSequence.AllSplits(vector))
            {
                Assert.Equal(expected, Parse(split));
            }
        }
    }

    [Theory]
    [InlineData(new byte[0], ProxyProtocolParseStatus.Incomplete)]
    [InlineData(new byte[] { (byte)'P', (byte)'R', (byte)'O' }, ProxyProtocolParseStatus.Incomplete)]
    [InlineData(new byte[] { (byte)'P', (byte)'R', (byte)'O', (byte)'X', (byte)'Y', (byte)' ' }, ProxyProtocolParseStatus.Done)]
    [InlineData(new byte[] { (byte)'P', (byte)'O', (byte)'S', (byte)'T' }, ProxyProtocolParseStatus.Invalid)]
    [InlineData(new byte[] { 0x16, 0x03, 0x01 }, ProxyProtocolParseStatus.Invalid)]
    [InlineData(new byte[] { 0x0d, 0x0a, 0x0d, 0x0a, 0x00 }, ProxyProtocolParseStatus.Incomplete)]
    [InlineData(new byte[] { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a }, ProxyProtocolParseStatus.Done)]
    public void Detect(byte[] input, ProxyProtocolParseStatus expected)
    {
        Assert.Equal(expected, ProxyProtocolParser.Detect(new ReadOnlySequence<byte>(input)));
    }

    [Property(MaxTest = 500)]
    public bool Garbage_NeverThrows_AndIsSplitInvariant(byte[] data, NonNegativeInt cut1, NonNegativeInt cut2)
    {
        data ??= [];
        var whole = Parse(data);
        var split = Parse(TestSequence.Split(data, cut1.Get % (data.Length + 1), cut2.Get % (data.Length + 1)));
        return whole == split && (whole.Status != ProxyProtocolParseStatus.Done || whole.Consumed <= data.Length);
    }

    [Property(MaxTest = 300)]
    public bool PrefixedGarbage_NeverThrows(byte[] tail, bool v2, NonNegativeInt cut)
    {
        byte[] data = v2 ? [.. V2HaproxyCapture[..12], .. tail ?? []] : [.. Ascii("PROXY TCP"), .. tail ?? []];
        var whole = Parse(data);
        var split = Parse(TestSequence.Split(data, cut.Get % (data.Length + 1)));
        return whole == split;
    }

    [Property(MaxTest = 300)]
    public bool V1_RoundTrip(byte a, byte b, byte c, byte d, ushort sport, ushort dport)
    {
        string line = $"PROXY TCP4 {a}.{b}.{c}.{d} 10.0.0.1 {sport} {dport}\r\n";
        var (status, header, consumed) = Parse(Ascii(line));
        return status == ProxyProtocolParseStatus.Done && consumed == line.Length
            && header.Source!.Equals(new IPEndPoint(new IPAddress([a, b, c, d]), sport)) && header.Destination!.Port == dport;
    }

    internal static byte[] V2Header(byte verCmd, byte family, int length, byte[] rest) =>
        [.. V2HaproxyCapture[..12], verCmd, family, (byte)(length >> 8), (byte)length, .. rest];
}
