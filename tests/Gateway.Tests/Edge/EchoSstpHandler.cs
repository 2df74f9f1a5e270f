using System.Collections.Concurrent;
using System.IO.Pipelines;
using Gateway.Edge;

namespace Gateway.Tests.Edge;

/// <summary>Test <see cref="ISstpConnectionHandler"/>: records the info and echoes every byte until the client closes.</summary>
internal sealed class EchoSstpHandler : ISstpConnectionHandler
{
    public ConcurrentQueue<SstpConnectionInfo> Connections { get; } = new();

    public TaskCompletionSource<SstpConnectionInfo> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task HandleAsync(IDuplexPipe transport, SstpConnectionInfo info, CancellationToken connectionClosed)
    {
        Connections.Enqueue(info);
        First.TrySetResult(info);
        while (true)
        {
            ReadResult result = await transport.Input.ReadAsync(connectionClosed);
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                await transport.Output.WriteAsync(segment, connectionClosed);
            }

            transport.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }
}
