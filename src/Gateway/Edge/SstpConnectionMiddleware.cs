using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Gateway.Edge;

/// <summary>
/// Connection middleware after TLS on the service port. Peeks the first request head: an SSTP duplex POST is
/// answered here (Kestrel cannot parse it, reference sec. 2.2) and the connection is handed to
/// <see cref="ISstpConnectionHandler"/>; anything else goes to Kestrel's HTTP pipeline with every byte unread
/// (<c>AdvanceTo(start)</c>). Capped by <see cref="EdgeOptions.MaxRequestHeadBytes"/> and <see cref="EdgeOptions.RequestHeadTimeout"/>.
/// </summary>
internal sealed class SstpConnectionMiddleware(
    ConnectionDelegate next,
    ISstpConnectionHandler handler,
    IAdmissionControl admission,
    EdgeOptions options,
    byte[]? httpOnlySha1,
    byte[]? httpOnlySha256,
    TimeProvider timeProvider,
    EdgeMetrics metrics,
    ILogger logger)
{
    public async Task OnConnectionAsync(ConnectionContext context)
    {
        PipeReader input = context.Transport.Input;
        SstpRequestHead head;
        using (var deadline = new ReadDeadline(input, options.RequestHeadTimeout, timeProvider))
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync();
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (result.IsCanceled)
                {
                    input.AdvanceTo(buffer.Start);
                    if (!buffer.IsEmpty)
                    {
                        // Only an unfinished SSTP_DUPLEX_POST head is still being sniffed here.
                        await RejectAsync(context, EdgeRejectReason.HeadTimeout);
                    }

                    return;
                }

                SstpRequestHeadStatus status = SstpRequestHeadParser.Parse(buffer, options.MaxRequestHeadBytes, out head);
                if (status == SstpRequestHeadStatus.NotSstp)
                {
                    input.AdvanceTo(buffer.Start);
                    await deadline.StopAsync();
                    metrics.HttpPassedThrough();
                    await next(context);
                    return;
                }

                if (status == SstpRequestHeadStatus.NeedMoreData)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted)
                    {
                        return;
                    }

                    continue;
                }

                if (status == SstpRequestHeadStatus.Accept)
                {
                    // Exactly the head: later bytes are the start of the SSTP stream (reference sec. 2.2).
                    input.AdvanceTo(buffer.GetPosition(head.Length));
                    await deadline.StopAsync();
                    break;
                }

                input.AdvanceTo(buffer.End);
                await RejectAsync(context, status switch
                {
                    SstpRequestHeadStatus.NotFound => EdgeRejectReason.NotFound,
                    SstpRequestHeadStatus.HeadTooLarge => EdgeRejectReason.HeadTooLarge,
                    _ => EdgeRejectReason.BadRequest,
                });
                return;
            }
        }

        if (!admission.AcceptingSessions)
        {
            await RejectAsync(context, EdgeRejectReason.Draining);
            return;
        }

        SstpConnectionInfo info = Describe(context, head);
        // Kestrel's TLS output pipe writes to the SslStream inside FlushAsync (StreamPipeWriter), so once this
        // await returns the 200 is in the stream and no write is in flight: the handler may take the stream over.
        await WriteAsync(context.Transport.Output, "200 OK", extraHeaders: "Content-Length: 18446744073709551615\r\n");
        metrics.SstpAccepted();
        EdgeLog.SstpAccepted(logger, context.ConnectionId, head.CorrelationId);
        Stream? tls = context.Features.Get<ISslStreamFeature>()?.SslStream;
        try
        {
            await handler.HandleAsync(context.Transport, tls, info, context.ConnectionClosed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            EdgeLog.HandlerFailed(logger, context.ConnectionId, ex);
        }
        catch (OperationCanceledException)
        {
            // The connection closed under the handler.
        }

        await context.Transport.Output.CompleteAsync();
        await context.Transport.Input.CompleteAsync();
    }

    private SstpConnectionInfo Describe(ConnectionContext context, SstpRequestHead head)
    {
        byte[] sha1;
        byte[] sha256;
        string? protocol = null;
        if (httpOnlySha1 is not null || httpOnlySha256 is not null)
        {
            sha1 = httpOnlySha1 ?? [];
            sha256 = httpOnlySha256 ?? [];
        }
        else
        {
            // The certificate actually presented on this connection (MS-SSTP 3.3.5.2.3), not the store's current one.
            var ssl = context.Features.Get<ISslStreamFeature>()?.SslStream;
            X509Certificate? local = ssl?.LocalCertificate;
            byte[] der = local?.GetRawCertData() ?? [];
            sha1 = der.Length == 0 ? [] : SHA1.HashData(der);
            sha256 = der.Length == 0 ? [] : SHA256.HashData(der);
            protocol = context.Features.Get<ITlsHandshakeFeature>()?.Protocol.ToString();
        }

        return new SstpConnectionInfo(context.ConnectionId, context.RemoteEndPoint, context.LocalEndPoint, sha1, sha256, head.CorrelationId, protocol);
    }

    private async Task RejectAsync(ConnectionContext context, EdgeRejectReason reason)
    {
        metrics.Rejected(reason);
        EdgeLog.Rejected(logger, context.ConnectionId, reason);
        (string status, string extra) = reason switch
        {
            EdgeRejectReason.NotFound => ("404 Not Found", ""),
            EdgeRejectReason.HeadTooLarge => ("431 Request Header Fields Too Large", ""),
            EdgeRejectReason.HeadTimeout => ("408 Request Timeout", ""),
            EdgeRejectReason.Draining => ("503 Service Unavailable", $"Retry-After: {options.DrainingRetryAfterSeconds.ToString(CultureInfo.InvariantCulture)}\r\n"),
            _ => ("400 Bad Request", ""),
        };
        await WriteAsync(context.Transport.Output, status, extra + "Content-Length: 0\r\nConnection: close\r\n");
        await context.Transport.Output.CompleteAsync();
    }

    /// <summary>Status line, caller's headers, Server and Date (RFC 1123, as in MS-SSTP 4.1), blank line.</summary>
    private async ValueTask WriteAsync(PipeWriter output, string status, string extraHeaders)
    {
        string date = timeProvider.GetUtcNow().ToString("r", CultureInfo.InvariantCulture);
        string text = $"HTTP/1.1 {status}\r\n{extraHeaders}Server: {options.ServerHeader}\r\nDate: {date}\r\n\r\n";
        int length = Encoding.ASCII.GetByteCount(text);
        Encoding.ASCII.GetBytes(text, output.GetSpan(length));
        output.Advance(length);
        await output.FlushAsync();
    }
}
