using System.Diagnostics.Metrics;

namespace Gateway.Sessions;

/// <summary>Meter "Gateway.Sessions": active sessions, setups and their duration, ends by cause (no user names or IPs).</summary>
public sealed class SessionMetrics : IDisposable
{
    public const string MeterName = "Gateway.Sessions";
    private readonly Meter _meter;
    private readonly Counter<long> _started;
    private readonly Counter<long> _ended;
    private readonly Histogram<double> _setup;

    public SessionMetrics(SessionRegistry registry, IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableGauge("gateway.sessions.active", () => registry.Count, description: "SSTP sessions on this node");
        _started = _meter.CreateCounter<long>("gateway.sessions.started", description: "SSTP calls taken over by the core");
        _ended = _meter.CreateCounter<long>("gateway.sessions.ended", description: "Sessions ended, by outcome");
        _setup = _meter.CreateHistogram<double>("gateway.sessions.setup.duration", unit: "s",
            description: "From the duplex POST to the network being up");
    }

    public void Started() => _started.Add(1);

    public void NetworkUp(TimeSpan setup) => _setup.Record(setup.TotalSeconds);

    /// <summary><paramref name="established"/>: the network had come up; otherwise setup failed.</summary>
    public void Ended(bool established) =>
        _ended.Add(1, new KeyValuePair<string, object?>("outcome", established ? "established" : "setup_failed"));

    public void Dispose() => _meter.Dispose();
}
