using System.Buffers;
using System.Text;
using Gateway.Sstp;

namespace Gateway.Tests.Sstp;

public class SstpHttpClientHandshakeTests
{
    [Fact]
    public void Request_head_is_the_duplex_post()
    {
        byte[] request = SstpHttpClientHandshake.BuildRequest("vpn.example.com", Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"));
        Assert.Equal(
            "SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\n" +
            "Host: vpn.example.com\r\n" +
            "Content-Length: 18446744073709551615\r\n" +
            "SSTPCORRELATIONID: {0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}\r\n\r\n",
            Encoding.ASCII.GetString(request));

        var writer = new ArrayBufferWriter<byte>();
        SstpHttpClientHandshake.WriteRequest(writer, "vpn.example.com", Guid.Empty);
        Assert.EndsWith("{00000000-0000-0000-0000-000000000000}\r\n\r\n", Encoding.ASCII.GetString(writer.WrittenSpan));
        Assert.Throws<ArgumentException>(() => SstpHttpClientHandshake.BuildRequest("a\r\nX: y", Guid.Empty));
    }

    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\nServer: Microsoft-HTTPAPI/2.0\r\nDate: Thu, 09 Nov 2006 00:51:09 GMT\r\n\r\n";

    [Fact]
    public void Accepts_200_and_leaves_following_sstp_bytes_in_the_buffer()
    {
        byte[] bytes = [.. Encoding.ASCII.GetBytes(Ok), 0x10, 0x01, 0x00, 0x30];
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            var buffer = TestSequence.Create(bytes, [cut, cut / 2]);
            Assert.Equal(SstpHttpResponseStatus.Accepted, SstpHttpClientHandshake.TryParseResponse(ref buffer, out int code));
            Assert.Equal(200, code);
            Assert.Equal("10010030", Convert.ToHexString(buffer.ToArray()));
        }
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", SstpHttpResponseStatus.Accepted, 200)]
    [InlineData("HTTP/1.0 200\r\n\r\n", SstpHttpResponseStatus.Accepted, 200)]
    [InlineData("HTTP/1.1 200 OK\r\ncontent-length:18446744073709551615\r\n\r\n", SstpHttpResponseStatus.Accepted, 200)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", SstpHttpResponseStatus.Invalid, 200)]
    [InlineData("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", SstpHttpResponseStatus.Rejected, 404)]
    [InlineData("HTTP/1.1 400 Bad Request\r\n\r\n", SstpHttpResponseStatus.Rejected, 400)]
    [InlineData("HTTP/2 200 OK\r\n\r\n", SstpHttpResponseStatus.Invalid, 0)]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n", SstpHttpResponseStatus.Invalid, 0)]
    [InlineData("HTTP/1.1 20x OK\r\n\r\n", SstpHttpResponseStatus.Invalid, 0)]
    [InlineData("HTTP/1.1 200 OK\r\nbroken header\r\n\r\n", SstpHttpResponseStatus.Invalid, 200)]
    [InlineData("garbage\r\n\r\n", SstpHttpResponseStatus.Invalid, 0)]
    public void Response_heads(string head, SstpHttpResponseStatus expected, int expectedCode)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(head));
        Assert.Equal(expected, SstpHttpClientHandshake.TryParseResponse(ref buffer, out int code));
        Assert.Equal(expected == SstpHttpResponseStatus.Invalid ? 0 : expectedCode, expected == SstpHttpResponseStatus.Invalid ? 0 : code);
        Assert.Equal(expected == SstpHttpResponseStatus.Invalid ? head.Length : 0, buffer.Length);
    }

    [Fact]
    public void Incomplete_head_needs_more_data_until_the_cap()
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 1"));
        Assert.Equal(SstpHttpResponseStatus.NeedMoreData, SstpHttpClientHandshake.TryParseResponse(ref buffer, out _));

        var big = new ReadOnlySequence<byte>(new byte[SstpHttpClientHandshake.MaxResponseHeadLength + 1]);
        Assert.Equal(SstpHttpResponseStatus.Invalid, SstpHttpClientHandshake.TryParseResponse(ref big, out _));
    }
}
