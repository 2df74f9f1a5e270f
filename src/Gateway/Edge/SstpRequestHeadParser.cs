using System.Buffers;
using System.Text;

namespace Gateway.Edge;

/// <summary>
/// Pure sniffer for the SSTP duplex POST (MS-SSTP 3.2.4.1, 4.1). Kestrel cannot parse this request
/// (Content-Length 2^64-1 fails its Int64 parse), so the edge reads the head itself and either takes the
/// connection over or hands every byte back to Kestrel untouched.
/// </summary>
public static class SstpRequestHeadParser
{
    /// <summary>MS-SSTP 3.2.4.1: request method.</summary>
    public static ReadOnlySpan<byte> Method => "SSTP_DUPLEX_POST"u8;

    /// <summary>MS-SSTP 3.2.4.1: request URI (compared case-insensitively; the spec's own literal mixes cases).</summary>
    public const string SstpPath = "/sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/";

    /// <summary>MS-SSTP 3.2.4.1: correlation header (a GUID, with or without braces depending on the client).</summary>
    public const string CorrelationHeader = "SSTPCORRELATIONID";

    private const int MaxCorrelationIdLength = 128;

    /// <summary>
    /// Classifies the buffered bytes. <paramref name="maxHeadBytes"/> caps the head including the final CRLF CRLF.
    /// Never throws.
    /// </summary>
    public static SstpRequestHeadStatus Parse(in ReadOnlySequence<byte> input, int maxHeadBytes, out SstpRequestHead head)
    {
        head = default;
        if (input.IsSingleSegment)
        {
            return Parse(input.FirstSpan, maxHeadBytes, out head);
        }

        int n = (int)Math.Min(input.Length, Math.Max(maxHeadBytes, Method.Length + 1));
        byte[] rented = ArrayPool<byte>.Shared.Rent(n);
        try
        {
            input.Slice(0, n).CopyTo(rented);
            SstpRequestHeadStatus status = Parse(rented.AsSpan(0, n), maxHeadBytes, out head);
            return status == SstpRequestHeadStatus.NeedMoreData && input.Length >= maxHeadBytes ? SstpRequestHeadStatus.HeadTooLarge : status;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static SstpRequestHeadStatus Parse(ReadOnlySpan<byte> input, int maxHeadBytes, out SstpRequestHead head)
    {
        head = default;

        // Method and one space decide SSTP or not; anything else goes to Kestrel after at most 17 bytes.
        int prefixLength = Method.Length + 1;
        int compare = Math.Min(input.Length, prefixLength);
        for (int i = 0; i < compare; i++)
        {
            byte expected = i < Method.Length ? Method[i] : (byte)' ';
            if (input[i] != expected)
            {
                return SstpRequestHeadStatus.NotSstp;
            }
        }

        if (input.Length < prefixLength)
        {
            return SstpRequestHeadStatus.NeedMoreData;
        }

        ReadOnlySpan<byte> window = input.Length > maxHeadBytes ? input[..maxHeadBytes] : input;
        int end = window.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            // A complete malformed request line is reported as 400 even before the head ends.
            int firstLine = window.IndexOf("\r\n"u8);
            if (firstLine >= 0 && ClassifyRequestLine(window[..firstLine]) is SstpRequestHeadStatus.BadRequest)
            {
                return SstpRequestHeadStatus.BadRequest;
            }

            return input.Length >= maxHeadBytes ? SstpRequestHeadStatus.HeadTooLarge : SstpRequestHeadStatus.NeedMoreData;
        }

        int headLength = end + 4;
        ReadOnlySpan<byte> block = window[..(end + 2)]; // every line ends with CRLF
        int lineEnd = block.IndexOf("\r\n"u8);
        SstpRequestHeadStatus lineStatus = ClassifyRequestLine(block[..lineEnd]);
        if (lineStatus != SstpRequestHeadStatus.Accept)
        {
            return lineStatus;
        }

        string? correlationId = null;
        ReadOnlySpan<byte> headers = block[(lineEnd + 2)..];
        while (!headers.IsEmpty)
        {
            int eol = headers.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> line = headers[..eol];
            headers = headers[(eol + 2)..];
            if (!TryParseHeader(line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value))
            {
                return SstpRequestHeadStatus.BadRequest;
            }

            if (correlationId is null && Ascii.EqualsIgnoreCase(name, CorrelationHeader) && value.Length <= MaxCorrelationIdLength)
            {
                correlationId = Encoding.ASCII.GetString(value);
            }
        }

        head = new SstpRequestHead(headLength, correlationId);
        return SstpRequestHeadStatus.Accept;
    }

    /// <summary>"SSTP_DUPLEX_POST" SP request-target SP HTTP-version, already known to start with the method and a space.</summary>
    private static SstpRequestHeadStatus ClassifyRequestLine(ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> rest = line[(Method.Length + 1)..];
        int sp = rest.IndexOf((byte)' ');
        if (sp <= 0)
        {
            return SstpRequestHeadStatus.BadRequest;
        }

        ReadOnlySpan<byte> target = rest[..sp];
        ReadOnlySpan<byte> version = rest[(sp + 1)..];
        foreach (byte b in target)
        {
            if (b <= 0x20 || b >= 0x7F)
            {
                return SstpRequestHeadStatus.BadRequest;
            }
        }

        // Accept HTTP/1.0 as well as the specified 1.1 (reference 2.2: being liberal costs nothing).
        if (!version.SequenceEqual("HTTP/1.1"u8) && !version.SequenceEqual("HTTP/1.0"u8))
        {
            return SstpRequestHeadStatus.BadRequest;
        }

        int query = target.IndexOf((byte)'?');
        ReadOnlySpan<byte> path = query < 0 ? target : target[..query];

        // The optional query (?tenantid=..., MS-SSTP 3.2.4.1) is ignored.
        return Ascii.EqualsIgnoreCase(path, SstpPath) ? SstpRequestHeadStatus.Accept : SstpRequestHeadStatus.NotFound;
    }

    /// <summary>RFC 9112 5: field-name ":" OWS field-value OWS; no obsolete folding, no bare CR/LF, no controls but HTAB.</summary>
    private static bool TryParseHeader(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        name = default;
        value = default;
        int colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        name = line[..colon];
        foreach (byte b in name)
        {
            if (!IsTokenChar(b))
            {
                return false;
            }
        }

        value = line[(colon + 1)..];
        foreach (byte b in value)
        {
            if ((b < 0x20 && b != (byte)'\t') || b == 0x7F)
            {
                return false;
            }
        }

        value = value.Trim(" \t"u8);
        return true;
    }

    private static bool IsTokenChar(byte b) =>
        b is > 0x20 and < 0x7F && b is not ((byte)'(' or (byte)')' or (byte)',' or (byte)'/' or (byte)':' or (byte)';'
            or (byte)'<' or (byte)'=' or (byte)'>' or (byte)'?' or (byte)'@' or (byte)'[' or (byte)'\\' or (byte)']'
            or (byte)'"' or (byte)'{' or (byte)'}');
}
