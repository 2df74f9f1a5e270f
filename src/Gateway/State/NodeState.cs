namespace Gateway.State;

/// <summary>State of a registered gateway node.</summary>
public enum NodeState
{
    /// <summary>Accepts new sessions.</summary>
    Active = 0,

    /// <summary>Refuses new sessions; existing ones end by <see cref="NodeInfo.DrainDeadline"/>.</summary>
    Draining = 1,
}
