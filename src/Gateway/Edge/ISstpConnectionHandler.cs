using System.IO.Pipelines;

namespace Gateway.Edge;

/// <summary>
/// Takes over a connection once the edge has answered the SSTP duplex POST with 200 (MS-SSTP 3.2.4.1).
/// <paramref name="transport"/> carries SSTP packets only; any bytes the client sent after the request head
/// are already at the front of its input. <paramref name="tls"/> is the connection's TLS stream (null when the
/// edge runs without TLS): the 200 has been written to it and its write completed before this call, so the
/// handler may write SSTP bytes straight to it, choosing the TLS record boundaries itself, instead of through
/// <c>transport.Output</c> - one or the other, never both at once (a TLS stream allows one writer). Reading stays
/// on <c>transport.Input</c>. The task completes when the session is over; the edge then closes the connection
/// (TLS close_notify, then FIN).
/// </summary>
public interface ISstpConnectionHandler
{
    Task HandleAsync(IDuplexPipe transport, Stream? tls, SstpConnectionInfo info, CancellationToken connectionClosed);
}
