namespace Gateway.State;

/// <summary>The inner IPv4 address pool (configuration section <c>State:Pool</c>).</summary>
public sealed class IpPoolOptions
{
    /// <summary>
    /// <c>State:Pool:Range</c>: a CIDR (<c>10.8.0.0/24</c>; network and broadcast addresses excluded) or an inclusive
    /// range (<c>10.8.0.10-10.8.0.250</c>).
    /// </summary>
    public string Range { get; set; } = "10.8.0.0/24";

    /// <summary>
    /// <c>State:Pool:GatewayAddress</c>: the gateway's own inner address (the local IPCP address), never leased.
    /// Empty: the first host address of a CIDR pool; none for an explicit range.
    /// </summary>
    public string? GatewayAddress { get; set; }

    /// <summary><c>State:Pool:Exclude</c>: further addresses never leased.</summary>
    public List<string> Exclude { get; set; } = [];

    /// <summary>
    /// <c>State:Pool:LeaseLinger</c>: after a session ends its address stays reserved for the same user this long, so a
    /// quick reconnect (on any node) gets the same address back.
    /// </summary>
    public TimeSpan LeaseLinger { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <c>State:Pool:ReclaimLingeringWhenExhausted</c>: when no free address is left, hand out the lingering address whose
    /// linger ends first instead of refusing the session.
    /// </summary>
    public bool ReclaimLingeringWhenExhausted { get; set; } = true;
}
