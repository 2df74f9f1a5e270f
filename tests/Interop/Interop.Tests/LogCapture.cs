using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Interop.Tests;

/// <summary>
/// An in-memory logger provider added to a running gateway's <see cref="ILoggerFactory"/> (existing loggers pick
/// it up), so a test can assert what the gateway logged while the real client talked to it.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    /// <summary>Lines as <c>category: message</c>, in the order they were logged.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    public void Clear() => _lines.Clear();

    /// <summary>True when a logged message contains <paramref name="text"/>.</summary>
    public bool Contains(string text) => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    public int Count(string text) => _lines.Count(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>
    /// Time from the last line containing <paramref name="from"/> before the first line containing
    /// <paramref name="to"/>, to that line (lines start with <c>HH:mm:ss.fff</c>); null when either is missing.
    /// </summary>
    public TimeSpan? Between(string from, string to)
    {
        string? start = null;
        foreach (string line in _lines)
        {
            if (line.Contains(to, StringComparison.Ordinal))
            {
                return start is null ? null : Stamp(line) - Stamp(start);
            }

            if (line.Contains(from, StringComparison.Ordinal))
            {
                start = line;
            }
        }

        return null;
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public override string ToString() => string.Join('\n', _lines);

    private static TimeSpan Stamp(string line) =>
        TimeSpan.ParseExact(line[..12], @"hh\:mm\:ss\.fff", System.Globalization.CultureInfo.InvariantCulture);

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string shortCategory = category[(category.LastIndexOf('.') + 1)..];
            owner._lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {shortCategory}[{eventId.Id}]: {formatter(state, exception)}" +
                (exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message));
        }
    }
}
