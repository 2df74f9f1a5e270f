using Gateway.State;

namespace Gateway.Sessions;

/// <summary>
/// Carries out "disconnect session X" commands sent to this node through the store (admin API on any node).
/// Idempotent: a session that is already gone counts as done.
/// </summary>
public sealed class DisconnectCommandHandler(SessionRegistry registry) : INodeCommandHandler
{
    public async Task HandleAsync(NodeCommand command, CancellationToken cancellationToken)
    {
        if (command.Kind != NodeCommandKind.DisconnectSession || command.SessionId is null)
        {
            return;
        }

        if (registry.Find(command.SessionId) is { } session)
        {
            Task ended = session.DisconnectAsync(command.Reason ?? "disconnected by administrator");
            await Task.WhenAny(ended, Task.Delay(TimeSpan.FromSeconds(15), cancellationToken)).ConfigureAwait(false);
        }
    }
}
