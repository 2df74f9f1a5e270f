namespace Gateway.State;

/// <summary>What <see cref="INodeRegistry.SweepExpiredNodesAsync"/> cleaned up.</summary>
public sealed record SweepResult(IReadOnlyList<string> RemovedNodes, int LeasesReleased, int SessionsRemoved)
{
    public static SweepResult Empty { get; } = new([], 0, 0);
}
