using System.IO.Pipelines;

namespace Gateway.Edge;

/// <summary>
/// Takes over a connection once the edge has answered the SSTP duplex POST with 200 (MS-SSTP 3.2.4.1).
/// <paramref name="transport"/> carries SSTP packets only; any bytes the client sent after the request head
/// are already at the front of its input. The task completes when the session is over; the edge then closes
/// the connection (TLS close_notify, then FIN).
/// </summary>
public interface ISstpConnectionHandler
{
    Task HandleAsync(IDuplexPipe transport, SstpConnectionInfo info, CancellationToken connectionClosed);
}
