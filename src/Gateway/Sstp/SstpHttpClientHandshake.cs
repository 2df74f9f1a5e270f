using System.Buffers;
using System.Text;

namespace Gateway.Sstp;

/// <summary>
/// Client side of the HTTPS layer ([MS-SSTP] 3.2.4.1, 4.1): writes the SSTP_DUPLEX_POST request head and parses the
/// server's response head. Pure byte functions; the caller owns the stream.
/// </summary>
public static class SstpHttpClientHandshake
{
    /// <summary>2.2 / 3.2.4.1: the fixed request URI (the GUID is written in this exact mixed case by Windows).</summary>
    public const string RequestUri = "/sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/";

    /// <summary>3.2.4.1: the Content-Length both sides announce, ULONGLONG_MAX.</summary>
    public const string DuplexContentLength = "18446744073709551615";

    /// <summary>Cap on the response head (status line plus headers) the client accepts.</summary>
    public const int MaxResponseHeadLength = 8 * 1024;

    private static ReadOnlySpan<byte> HeadTerminator => "\r\n\r\n"u8;

    /// <summary>The request head, e.g. <c>SSTP_DUPLEX_POST /sra_{...}/ HTTP/1.1</c>, Host, Content-Length, SSTPCORRELATIONID.</summary>
    public static byte[] BuildRequest(string host, Guid correlationId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        if (host.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("Host must not contain line breaks.", nameof(host));
        }

        string head =
            "SSTP_DUPLEX_POST " + RequestUri + " HTTP/1.1\r\n" +
            "Host: " + host + "\r\n" +
            "Content-Length: " + DuplexContentLength + "\r\n" +
            "SSTPCORRELATIONID: " + correlationId.ToString("B").ToUpperInvariant() + "\r\n" +
            "\r\n";
        return Encoding.ASCII.GetBytes(head);
    }

    /// <summary>Writes <see cref="BuildRequest"/> into <paramref name="writer"/>.</summary>
    public static void WriteRequest(IBufferWriter<byte> writer, string host, Guid correlationId) =>
        writer.Write(BuildRequest(host, correlationId));

    /// <summary>
    /// Parses the response head at the front of <paramref name="buffer"/>. On <see cref="SstpHttpResponseStatus.Accepted"/>
    /// and <see cref="SstpHttpResponseStatus.Rejected"/> the buffer is advanced past the head (bytes after the blank line
    /// are already SSTP); otherwise it is unchanged.
    /// </summary>
    public static SstpHttpResponseStatus TryParseResponse(ref ReadOnlySequence<byte> buffer, out int statusCode)
    {
        statusCode = 0;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> head, HeadTerminator, advancePastDelimiter: true))
        {
            return buffer.Length > MaxResponseHeadLength ? SstpHttpResponseStatus.Invalid : SstpHttpResponseStatus.NeedMoreData;
        }

        if (head.Length > MaxResponseHeadLength)
        {
            return SstpHttpResponseStatus.Invalid;
        }

        string text = Encoding.ASCII.GetString(head);
        string[] lines = text.Split("\r\n");
        SstpHttpResponseStatus status = ParseHead(lines, out statusCode);
        if (status != SstpHttpResponseStatus.Invalid)
        {
            buffer = buffer.Slice(reader.Position);
        }

        return status;
    }

    private static SstpHttpResponseStatus ParseHead(string[] lines, out int statusCode)
    {
        statusCode = 0;

        // Status line: HTTP/1.x SP 3DIGIT [SP reason]
        string statusLine = lines[0];
        if (!statusLine.StartsWith("HTTP/1.", StringComparison.Ordinal) || statusLine.Length < 12 || statusLine[8] != ' '
            || !int.TryParse(statusLine.AsSpan(9, 3), System.Globalization.NumberStyles.None, null, out statusCode)
            || (statusLine.Length > 12 && statusLine[12] != ' '))
        {
            statusCode = 0;
            return SstpHttpResponseStatus.Invalid;
        }

        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i];
            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                return SstpHttpResponseStatus.Invalid;
            }

            // sstp-client behaviour (reference 2.2): a Content-Length, if present, must be exactly 2^64-1.
            if (statusCode == 200
                && line.AsSpan(0, colon).Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                && !line.AsSpan(colon + 1).Trim().SequenceEqual(DuplexContentLength))
            {
                return SstpHttpResponseStatus.Invalid;
            }
        }

        return statusCode == 200 ? SstpHttpResponseStatus.Accepted : SstpHttpResponseStatus.Rejected;
    }
}
