namespace Gateway.Tunnel;

/// <summary>
/// Leases inner IPv4 addresses to sessions. <see cref="Ipv4AddressPool"/> is the in-process implementation; a
/// shared (Redis) lease store can implement the same contract. Addresses are host-order integers.
/// </summary>
public interface IAddressPool
{
    /// <summary>
    /// Leases <paramref name="preferred"/> if given and free, otherwise any free address; null when the pool is
    /// exhausted (or, with <paramref name="preferredOnly"/>, when the preferred address is taken).
    /// </summary>
    ValueTask<uint?> AllocateAsync(uint? preferred = null, bool preferredOnly = false, CancellationToken cancellationToken = default);

    /// <summary>Returns a leased address to the pool. Releasing an address that is not leased does nothing.</summary>
    ValueTask ReleaseAsync(uint address, CancellationToken cancellationToken = default);
}
