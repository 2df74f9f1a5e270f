using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Gateway.Tunnel;

namespace Gateway.Tests.Tunnel;

/// <summary>
/// Reads the instruments of one <see cref="TunnelMetrics"/> instance by instrument and tag: observable counters report
/// their running totals, which <see cref="Get"/> collects first.
/// </summary>
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
                _sums[$"{instrument.Name}|{tag.Key}={tag.Value}"] = value;
            }
        });
        _listener.Start();
    }

    public long Get(string instrument, string tag, string value)
    {
        _listener.RecordObservableInstruments();
        return _sums.TryGetValue($"{instrument}|{tag}={value}", out long v) ? v : 0;
    }

    public void Dispose() => _listener.Dispose();
}
