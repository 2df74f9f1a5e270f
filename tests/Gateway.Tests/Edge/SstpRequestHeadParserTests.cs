using System.Buffers;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using Gateway.Edge;

namespace Gateway.Tests.Edge;

public class SstpRequestHeadParserTests
{
    // MS-SSTP 4.1 / reference sec. 2.1.
    internal const string WindowsHead =
        "SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\n" +
        "Host: vpn.example.com\r\n" +
        "Content-Length: 18446744073709551615\r\n" +
        "SSTPCORRELATIONID: {62DFA5C0-E2E0-FD50-D286B00}\r\n" +
        "\r\n";

    private const int Cap = 8192;

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    private static (SstpRequestHeadStatus, SstpRequestHead) Parse(byte[] input, int cap = Cap) =>
        (SstpRequestHeadParser.Parse(new ReadOnlySequence<byte>(input), cap, out SstpRequestHead head), head);

    [Fact]
    public void WindowsRequest_IsAccepted_AndOnlyTheHeadIsConsumed()
    {
        byte[] sstpHello = [0x10, 0x01, 0x00, 0x0e];
        byte[] input = [.. Ascii(WindowsHead), .. sstpHello];
        var (status, head) = Parse(input);
        Assert.Equal(SstpRequestHeadStatus.Accept, status);
        Assert.Equal(WindowsHead.Length, head.Length);
        Assert.Equal("{62DFA5C0-E2E0-FD50-D286B00}", head.CorrelationId);
    }

    [Theory]
    [InlineData("SSTP_DUPLEX_POST /sra_{ba195980-cd49-458b-9e23-c84ee0adcd75}/ HTTP/1.1\r\nHost: h\r\n\r\n", null)]
    [InlineData("SSTP_DUPLEX_POST /SRA_{BA195980-CD49-458B-9E23-C84EE0ADCD75}/?tenantid=contoso HTTP/1.1\r\n\r\n", null)]
    [InlineData("SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.0\r\nsstpcorrelationid:   abc \r\n\r\n", "abc")]
    [InlineData("SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\nSSTPCORRELATIONID: 8a7c\r\nSSTPCORRELATIONID: second\r\n\r\n", "8a7c")]
    public void Variants_AreAccepted(string request, string? correlationId)
    {
        var (status, head) = Parse(Ascii(request));
        Assert.Equal(SstpRequestHeadStatus.Accept, status);
        Assert.Equal(request.Length, head.Length);
        Assert.Equal(correlationId, head.CorrelationId);
    }

    [Theory]
    [InlineData("G")]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\n\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("SSTP_DUPLEX_POSTX / HTTP/1.1\r\n\r\n")]
    [InlineData("sstp_duplex_post /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\n\r\n")] // methods are case-sensitive
    [InlineData("SSTP_DUPLEX_GET")]
    public void OtherRequests_PassThrough(string request)
    {
        Assert.Equal(SstpRequestHeadStatus.NotSstp, Parse(Ascii(request)).Item1);
    }

    [Theory]
    [InlineData("SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/2.0\r\n\r\n")]
    [InlineData("SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1 \r\n\r\n")]
    [InlineData("SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/\r\n\r\n")]
    [InlineData("SSTP_DUPLEX_POST  /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\n\r\n")]
    [InlineData("SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\nNoColon\r\n\r\n")]
    [InlineData("SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\nHost : h\r\n\r\n")]
    [InlineData("SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\n: empty-name\r\n\r\n")]
    [InlineData("SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n")]
    [InlineData("SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\nHost: a\nb\r\n\r\n")]
    [InlineData("SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\nHost: a\0b\r\n\r\n")]
    public void MalformedSstpHead_IsBadRequest(string request)
    {
        Assert.Equal(SstpRequestHeadStatus.BadRequest, Parse(Ascii(request)).Item1);
    }

    [Fact]
    public void MalformedRequestLine_IsBadRequest_BeforeTheHeadEnds()
    {
        Assert.Equal(SstpRequestHeadStatus.BadRequest, Parse(Ascii("SSTP_DUPLEX_POST /x HTTP/9.9\r\nHost: h\r\n")).Item1);
    }

    [Theory]
    [InlineData("SSTP_DUPLEX_POST / HTTP/1.1\r\n\r\n")]
    [InlineData("SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75} HTTP/1.1\r\n\r\n")]
    [InlineData("SSTP_DUPLEX_POST /sra_{00000000-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\n\r\n")]
    [InlineData("SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/x HTTP/1.1\r\n\r\n")]
    public void WrongUri_IsNotFound(string request)
    {
        Assert.Equal(SstpRequestHeadStatus.NotFound, Parse(Ascii(request)).Item1);
    }

    [Fact]
    public void EveryProperPrefix_NeedsMoreData()
    {
        byte[] input = Ascii(WindowsHead);
        for (int n = 0; n < input.Length; n++)
        {
            Assert.Equal(SstpRequestHeadStatus.NeedMoreData, Parse(input[..n]).Item1);
        }
    }

    [Fact]
    public void HeadAtTheCap_IsAccepted_OneByteMore_IsTooLarge()
    {
        string filler = "X-Pad: " + new string('a', 200) + "\r\n";
        string request = WindowsHead[..^2] + filler + "\r\n";
        Assert.Equal(SstpRequestHeadStatus.Accept, Parse(Ascii(request), request.Length).Item1);
        Assert.Equal(SstpRequestHeadStatus.HeadTooLarge, Parse(Ascii(request), request.Length - 1).Item1);
    }

    [Fact]
    public void UnterminatedHead_IsTooLargeOnceTheCapIsReached()
    {
        string start = WindowsHead[..^2] + "X-Pad: ";
        byte[] below = Ascii(start + new string('a', 1000 - start.Length - 1));
        byte[] at = Ascii(start + new string('a', 1000 - start.Length));
        Assert.Equal(SstpRequestHeadStatus.NeedMoreData, Parse(below, 1000).Item1);
        Assert.Equal(SstpRequestHeadStatus.HeadTooLarge, Parse(at, 1000).Item1);
    }

    [Fact]
    public void EverySplit_GivesTheSameResult()
    {
        string[] requests =
        [
            WindowsHead + "\x10\x01",
            "GET / HTTP/1.1\r\n\r\n",
            "SSTP_DUPLEX_POST / HTTP/1.1\r\n\r\n",
            "SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\nNoColon\r\n\r\n",
        ];
        foreach (string request in requests)
        {
            byte[] input = Ascii(request);
            var expected = Parse(input);
            foreach (ReadOnlySequence<byte> split in TestSequence.AllSplits(input))
            {
                SstpRequestHeadStatus status = SstpRequestHeadParser.Parse(split, Cap, out SstpRequestHead head);
                Assert.Equal(expected, (status, head));
            }
        }
    }

    [Fact]
    public void SplitOversizedHead_IsTooLarge()
    {
        byte[] input = Ascii(WindowsHead[..^2] + "X-Pad: " + new string('a', 300));
        foreach (int cut in new[] { 1, 17, 100, 250 })
        {
            Assert.Equal(SstpRequestHeadStatus.HeadTooLarge, SstpRequestHeadParser.Parse(TestSequence.Split(input, cut), 256, out _));
        }
    }

    [Property(MaxTest = 500)]
    public bool Garbage_NeverThrows_AndIsSplitInvariant(byte[] tail, bool sstpPrefix, NonNegativeInt cut1, NonNegativeInt cut2)
    {
        byte[] data = sstpPrefix ? [.. Ascii("SSTP_DUPLEX_POST "), .. tail ?? []] : tail ?? [];
        var whole = Parse(data, 64);
        SstpRequestHeadStatus status = SstpRequestHeadParser.Parse(
            TestSequence.Split(data, cut1.Get % (data.Length + 1), cut2.Get % (data.Length + 1)), 64, out SstpRequestHead head);
        return whole == (status, head) && (status != SstpRequestHeadStatus.Accept || head.Length <= data.Length);
    }
}
