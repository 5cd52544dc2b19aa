using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Wren.Tests.Support;

namespace Wren.Tests.Jobs;

/// <summary>WrenOptions.LoggerFactory gets the executor's events, and the ActivitySource "Wren" traces Maps and invocations, on real local workers.</summary>
[Trait("Category", "Slow")]
public sealed class TelemetryTests : IAsyncLifetime, IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly string _storage = Path.Combine(Path.GetTempPath(), "wren-tests", $"telemetry-{Guid.NewGuid():N}");
    private readonly MemoryLoggerFactory _loggers = new();
    private WrenExecutor _executor = null!;
    private bool _disposed;

    public Task InitializeAsync()
    {
        _executor = WrenExecutor.Create(new WrenOptions
        {
            Backend = WrenBackend.Local,
            StoragePath = _storage,
            LocalWorkers = 2,
            ConfigPath = "/nonexistent/wren-config.json",
            LoggerFactory = _loggers,
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _executor.DisposeAsync();
        _loggers.Dispose();
        try
        {
            Directory.Delete(_storage, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    // xunit disposes the test class through IAsyncLifetime; this makes its ownership of the logger factory visible too, and runs once.
    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    [Fact]
    public async Task Map_LogsItsStartItsRetriedAndFailedCallsAndItsEnd()
    {
        FutureList<int> futures = _executor.Map((int x, CallContext context) => x == 2 ? throw new FormatException($"bad {x}") : x,
            Enumerable.Range(0, 4), new MapOptions { ChunkSize = 2, RetryFailedCalls = 1 });
        await _executor.WaitAsync(futures).WaitAsync(Patience);
        await WaitForAsync(() => _loggers.Entries.Any(e => e.Event.Id == 2 && e.Message.Contains(futures.JobId)));

        MemoryLoggerFactory.Entry[] mine = [.. _loggers.Entries.Where(e => e.Message.Contains(futures.JobId))];
        Assert.All(mine, e => Assert.Equal("Wren", e.Category));
        MemoryLoggerFactory.Entry started = Assert.Single(mine, e => e.Event.Id == 1);
        Assert.Equal(LogLevel.Information, started.Level);
        Assert.Equal($"Map {futures.JobId} ({futures.Name}) started: 4 calls on local", started.Message);
        MemoryLoggerFactory.Entry retried = Assert.Single(mine, e => e.Event.Id == 5);
        Assert.Equal($"Map {futures.JobId}: call 2 threw System.FormatException on attempt 1; it runs again", retried.Message);
        MemoryLoggerFactory.Entry failed = Assert.Single(mine, e => e.Event.Id == 6);
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Contains("bad 2", failed.Message);
        MemoryLoggerFactory.Entry ended = Assert.Single(mine, e => e.Event.Id == 2);
        Assert.StartsWith($"Map {futures.JobId} ended: 3 succeeded, 1 failed in ", ended.Message);
        Assert.Contains($"{futures.Cost.Invocations} invocations", ended.Message);
    }

    [Fact]
    public async Task Map_IsAnActivityWithAChildPerInvocation_UnderTheCallersActivity()
    {
        var seen = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Wren" or "Wren.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (seen) seen.Add(activity);
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("Wren.Tests");
        FutureList<int> futures;
        ActivityTraceId trace;
        using (Activity caller = source.StartActivity("test caller")!)
        {
            trace = caller.TraceId;
            futures = _executor.Map((int x) => x * 2, Enumerable.Range(0, 6), new MapOptions { ChunkSize = 2 });
            int[] results = await futures.GetResultsAsync().WaitAsync(Patience);
            Assert.Equal([0, 2, 4, 6, 8, 10], results);
        }
        Activity? map = null;
        await WaitForAsync(() =>
        {
            lock (seen) map = seen.FirstOrDefault(a => a.OperationName == "Wren.Map" && (string?)a.GetTagItem("wren.job_id") == futures.JobId);
            return map is not null;
        });
        Assert.Equal(trace, map!.TraceId);
        Assert.Equal("test caller", map.Parent?.OperationName);
        Assert.Equal(6, map.GetTagItem("wren.calls"));
        Assert.Equal(6, map.GetTagItem("wren.succeeded"));
        Assert.Equal("local", map.GetTagItem("wren.backend"));
        Assert.Equal(ActivityStatusCode.Ok, map.Status);
        Activity[] invocations;
        lock (seen) invocations = [.. seen.Where(a => a.OperationName == "Wren.Invoke" && a.ParentSpanId == map.SpanId)];
        Assert.Equal(3, invocations.Length);
        Assert.All(invocations, i => Assert.Equal(ActivityKind.Client, i.Kind));
        Assert.Equal([0, 2, 4], invocations.Select(i => (int)i.GetTagItem("wren.first_call")!).Order());
        Assert.All(invocations, i => Assert.Equal("answered", i.GetTagItem("wren.outcome")));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, "the expected telemetry did not arrive");
            await Task.Delay(20);
        }
    }
}
