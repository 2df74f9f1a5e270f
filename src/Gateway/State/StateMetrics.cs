using System.Diagnostics.Metrics;

namespace Gateway.State;

/// <summary>The "Gateway.State" meter. Tags are low-cardinality only (never user names or addresses).</summary>
public sealed class StateMetrics : IDisposable
{
    public const string MeterName = "Gateway.State";

    private readonly Meter _meter;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _nodesSwept;

    public StateMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _failures = _meter.CreateCounter<long>(
            "gateway.state.store.failures", "{failure}", "Store calls that failed because the store was unavailable or erred.");
        _nodesSwept = _meter.CreateCounter<long>(
            "gateway.state.nodes.swept", "{node}", "Dead nodes cleaned up by this node's sweep.");
    }

    /// <summary>Counts a failed store call.</summary>
    public void StoreFailed(StateProvider provider, string operation, string errorType) =>
        _failures.Add(1,
            new KeyValuePair<string, object?>("provider", provider == StateProvider.Redis ? "redis" : "memory"),
            new KeyValuePair<string, object?>("operation", operation),
            new KeyValuePair<string, object?>("error.type", errorType));

    /// <summary>Counts nodes removed by a sweep.</summary>
    public void NodesSwept(int count)
    {
        if (count > 0)
        {
            _nodesSwept.Add(count);
        }
    }

    public void Dispose() => _meter.Dispose();
}
