using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

/// <summary>Sums the measurements of one <see cref="TunnelMetrics"/> instance by instrument and tag.</summary>
internal sealed class MetricCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _sums = new();

    public MetricCollector(TunnelMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == metrics.Meter)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                _sums.AddOrUpdate($"{instrument.Name}|{tag.Key}={tag.Value}", value, (_, old) => old + value);
            }
        });
        _listener.Start();
    }

    public long Get(string instrument, string tag, string value) =>
        _sums.TryGetValue($"{instrument}|{tag}={value}", out long v) ? v : 0;

    public void Dispose() => _listener.Dispose();
}
