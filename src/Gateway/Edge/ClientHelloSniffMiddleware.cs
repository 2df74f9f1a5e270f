using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Edge;

/// <summary>
/// Connection middleware before TLS, only with <c>Edge:Tls:Tls13CertificatePath</c>: peeks the first TLS record and
/// records in <see cref="EdgeConnectionFeature.OffersTls13"/> whether the ClientHello offers TLS 1.3, which picks the
/// certificate (<see cref="ServerCertificateStore.OptionsFor"/>). The bytes are only peeked: TLS reads them again.
/// A connection that sends no complete first record within the handshake timeout is closed here, as the TLS
/// handshake's own timeout would (and counted as a failed handshake by the listener's first middleware).
/// </summary>
internal sealed class ClientHelloSniffMiddleware(ConnectionDelegate next, TimeSpan timeout, TimeProvider timeProvider)
{
    public async Task OnConnectionAsync(ConnectionContext context)
    {
        PipeReader input = context.Transport.Input;
        bool tls13;
        using (var deadline = new ReadDeadline(input, timeout, timeProvider))
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync();
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (result.IsCanceled)
                {
                    input.AdvanceTo(buffer.Start);
                    return;
                }

                TlsClientHelloStatus status = Parse(buffer, out tls13);
                if (status != TlsClientHelloStatus.Incomplete || result.IsCompleted)
                {
                    input.AdvanceTo(buffer.Start);
                    break;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
            }

            await deadline.StopAsync();
        }

        if (context.Features.Get<EdgeConnectionFeature>() is { } feature)
        {
            feature.OffersTls13 = tls13;
        }

        await next(context);
    }

    private static TlsClientHelloStatus Parse(ReadOnlySequence<byte> buffer, out bool tls13)
    {
        if (buffer.IsSingleSegment)
        {
            return TlsClientHelloParser.OffersTls13(buffer.FirstSpan, out tls13);
        }

        // A record split over pipe segments (once per connection at most): copy what the parser may need.
        int length = (int)Math.Min(buffer.Length, TlsClientHelloParser.MaxRecordBytes);
        byte[] copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer.Slice(0, length).CopyTo(copy);
            return TlsClientHelloParser.OffersTls13(copy.AsSpan(0, length), out tls13);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }
}
