namespace Gateway.State;

/// <summary>Result of <see cref="IIpLeaseStore.AllocateAsync"/>; <see cref="Lease"/> is null only for <see cref="LeaseOutcome.PoolExhausted"/>.</summary>
public sealed record LeaseAllocation(LeaseOutcome Outcome, IpLease? Lease)
{
    /// <summary>True when an address was obtained.</summary>
    public bool Succeeded => Lease is not null;
}
