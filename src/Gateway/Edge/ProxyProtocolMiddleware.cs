using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Gateway.Edge;

/// <summary>
/// Connection middleware before TLS: a trusted proxy's connection must start with a PROXY v1/v2 header, which is
/// consumed and replaces <see cref="BaseConnectionContext.RemoteEndPoint"/> for everything after (Kestrel builds
/// IHttpConnectionFeature from it). Any other peer that starts with a PROXY header is refused; its other bytes are
/// only peeked and handed on untouched.
/// </summary>
internal sealed class ProxyProtocolMiddleware(
    ConnectionDelegate next,
    TrustedProxyList trusted,
    EdgeProxyProtocolOptions options,
    TimeProvider timeProvider,
    EdgeMetrics metrics,
    ILogger logger)
{
    public async Task OnConnectionAsync(ConnectionContext context)
    {
        PipeReader input = context.Transport.Input;
        bool isTrusted = trusted.Contains(context.RemoteEndPoint);
        using var deadline = new ReadDeadline(input, options.HeaderTimeout, timeProvider);
        while (true)
        {
            ReadResult result = await input.ReadAsync();
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start);
                Reject(context, EdgeRejectReason.ProxyTimeout);
                return;
            }

            if (!isTrusted)
            {
                ProxyProtocolParseStatus detected = ProxyProtocolParser.Detect(buffer);
                if (detected == ProxyProtocolParseStatus.Done)
                {
                    input.AdvanceTo(buffer.Start);
                    Reject(context, EdgeRejectReason.ProxyUntrusted);
                    return;
                }

                if (detected == ProxyProtocolParseStatus.Invalid || result.IsCompleted)
                {
                    input.AdvanceTo(buffer.Start);
                    break;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            ProxyProtocolParseStatus status = ProxyProtocolParser.TryParse(buffer, out ProxyProtocolHeader header, out SequencePosition consumed);
            if (status == ProxyProtocolParseStatus.Done)
            {
                input.AdvanceTo(consumed);
                if (header.Source is not null)
                {
                    var feature = context.Features.Get<EdgeConnectionFeature>();
                    if (feature is not null)
                    {
                        feature.ProxyEndPoint = context.RemoteEndPoint;
                    }

                    EdgeLog.ProxyHeader(logger, context.ConnectionId, header.Version, context.RemoteEndPoint?.ToString(), header.Source.ToString());
                    context.RemoteEndPoint = header.Source;
                }

                break;
            }

            if (status == ProxyProtocolParseStatus.Invalid)
            {
                input.AdvanceTo(buffer.Start);
                Reject(context, EdgeRejectReason.ProxyInvalid);
                return;
            }

            if (buffer.Length >= options.MaxHeaderBytes || result.IsCompleted)
            {
                input.AdvanceTo(buffer.Start);
                Reject(context, result.IsCompleted ? EdgeRejectReason.ProxyInvalid : EdgeRejectReason.ProxyTooLarge);
                return;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }

        await deadline.StopAsync();
        await next(context);
    }

    private void Reject(ConnectionContext context, EdgeRejectReason reason)
    {
        if (context.Features.Get<EdgeConnectionFeature>() is { } feature)
        {
            feature.RejectedBeforeTls = true;
        }

        metrics.Rejected(reason);
        EdgeLog.Rejected(logger, context.ConnectionId, reason);
    }
}
