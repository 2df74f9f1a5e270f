using System.IO.Pipelines;

namespace Gateway.Edge;

/// <summary>
/// A sniffing deadline on a <see cref="PipeReader"/>: when it expires the pending read returns IsCanceled.
/// <see cref="StopAsync"/> disarms it before the reader is handed on, and swallows a cancellation that fired
/// but was not observed, so the next reader (TLS, Kestrel's HTTP parser) never sees a stray canceled read.
/// </summary>
internal sealed class ReadDeadline : IDisposable
{
    private readonly PipeReader _reader;
    private readonly ITimer _timer;
    private readonly object _gate = new();
    private bool _stopped;
    private bool _fired;

    public ReadDeadline(PipeReader reader, TimeSpan timeout, TimeProvider timeProvider)
    {
        _reader = reader;
        _timer = timeProvider.CreateTimer(static s => ((ReadDeadline)s!).Fire(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    public async ValueTask StopAsync()
    {
        bool fired;
        lock (_gate)
        {
            _stopped = true;
            fired = _fired;
        }

        _timer.Dispose();
        if (fired)
        {
            // The cancellation is pending on the reader: this read returns at once and consumes it.
            ReadResult result = await _reader.ReadAsync();
            _reader.AdvanceTo(result.Buffer.Start);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
        }

        _timer.Dispose();
    }

    private void Fire()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _fired = true;
            _reader.CancelPendingRead();
        }
    }
}
