using Microsoft.Extensions.Logging;

namespace Wren.Tests.Support;

/// <summary>A logger factory that keeps every entry in memory: category, level, event and formatted message.</summary>
internal sealed class MemoryLoggerFactory : ILoggerFactory
{
    private readonly List<Entry> _entries = [];

    public sealed record Entry(string Category, LogLevel Level, EventId Event, string Message, Exception? Error);

    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_entries) return [.. _entries];
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class Logger(MemoryLoggerFactory factory, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (factory._entries) factory._entries.Add(new Entry(category, logLevel, eventId, formatter(state, exception), exception));
        }
    }
}
