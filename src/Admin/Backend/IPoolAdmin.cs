namespace Admin.Backend;

/// <summary>Inner address pool statistics.</summary>
public interface IPoolAdmin
{
    Task<AdminResult<PoolUsage>> GetPoolUsageAsync(CancellationToken cancellationToken);
}
