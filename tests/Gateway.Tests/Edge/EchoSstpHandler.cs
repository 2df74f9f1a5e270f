using System.Collections.Concurrent;
using System.IO.Pipelines;
using Gateway.Edge;

namespace Gateway.Tests.Edge;

/// <summary>
/// Test <see cref="ISstpConnectionHandler"/>: records the info and echoes every byte until the client closes, written
/// straight to the TLS stream when the edge hands one over (as the session pump does), else through the pipe.
/// </summary>
internal sealed class EchoSstpHandler : ISstpConnectionHandler
{
    public ConcurrentQueue<SstpConnectionInfo> Connections { get; } = new();

    public TaskCompletionSource<SstpConnectionInfo> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether each connection came with a TLS stream, in order.</summary>
    public ConcurrentQueue<bool> HadTlsStream { get; } = new();

    public async Task HandleAsync(IDuplexPipe transport, Stream? tls, SstpConnectionInfo info, CancellationToken connectionClosed)
    {
        Connections.Enqueue(info);
        HadTlsStream.Enqueue(tls is not null);
        First.TrySetResult(info);
        while (true)
        {
            ReadResult result = await transport.Input.ReadAsync(connectionClosed);
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                if (tls is not null)
                {
                    await tls.WriteAsync(segment, connectionClosed);
                }
                else
                {
                    await transport.Output.WriteAsync(segment, connectionClosed);
                }
            }

            transport.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }
}
