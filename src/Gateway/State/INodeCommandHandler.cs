namespace Gateway.State;

/// <summary>
/// Carries out commands addressed to this node (implemented by the session layer; register it in DI and
/// <see cref="NodeCommandListener"/> feeds it). Must be idempotent: a command can arrive more than once.
/// </summary>
public interface INodeCommandHandler
{
    /// <summary>Executes the command. Returning acknowledges it; throwing leaves it pending for the next poll.</summary>
    Task HandleAsync(NodeCommand command, CancellationToken cancellationToken);
}
