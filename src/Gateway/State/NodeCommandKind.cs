namespace Gateway.State;

/// <summary>What a <see cref="NodeCommand"/> asks the node to do.</summary>
public enum NodeCommandKind
{
    /// <summary>Disconnect <see cref="NodeCommand.SessionId"/> with <see cref="NodeCommand.Reason"/>.</summary>
    DisconnectSession = 0,
}
