using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Sstp;

/// <summary>Collects formatted log lines so tests can assert what was logged.</summary>
internal sealed class TestLogger : ILogger
{
    public List<string> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Add(formatter(state, exception));
}
