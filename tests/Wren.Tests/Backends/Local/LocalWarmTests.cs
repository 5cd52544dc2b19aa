using System.Text;
using Wren.Backends;
using Wren.Backends.Local;

namespace Wren.Tests.Backends.Local;

/// <summary>
/// A Map starts the local workers as it begins (<see cref="IComputeBackend.Warm"/>), so that they get ready while it
/// captures its function and serializes its inputs, instead of after all that with its first invocation.
/// </summary>
[Trait("Category", "Slow")]
public sealed class LocalWarmTests : IDisposable
{
    /// <summary>The storage of this test's backend (xunit makes a new instance for each test).</summary>
    private readonly string _storage = Path.Combine(Path.GetTempPath(), "wren-tests", $"warm-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_storage)) Directory.Delete(_storage, recursive: true);
    }
    private static readonly InvocationSettings OneCall = new(256, TimeSpan.FromSeconds(5), 1);

    [Fact]
    public async Task Warm_StartsEveryWorkerBeforeAnyInvocation_AndNoMoreWhenCalledAgain()
    {
        await using var pool = new LocalWorkerPool(2, 256, TimeProvider.System);
        var ready = new List<string>();
        var bothReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pool.WorkerReady += id =>
        {
            lock (ready)
            {
                ready.Add(id);
                if (ready.Count == 2) bothReady.TrySetResult();
            }
        };
        Assert.Empty(pool.Workers);

        pool.Warm();
        string[] started = [.. pool.Workers.Select(w => w.Id).Order(StringComparer.Ordinal)];
        Assert.Equal(2, started.Length);
        pool.Warm();
        Assert.Equal(started, pool.Workers.Select(w => w.Id).Order(StringComparer.Ordinal));

        // Both ask for work with no invocation queued.
        await bothReady.Task.WaitAsync(TimeSpan.FromSeconds(60));
        lock (ready) Assert.Equal(started, ready.Order(StringComparer.Ordinal));

        // The first invocation goes to one of them: none is started for it.
        Assert.IsType<InvocationOutcome.Rejected>(await pool.InvokeAsync(Encoding.UTF8.GetBytes("""{"hello":"world"}"""), OneCall, () => { }, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(started, pool.Workers.Select(w => w.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Warm_OnTheLocalBackend_StartsThePoolOfThatMemoryOnly()
    {
        await using var backend = new LocalBackend(_storage, "wren", 1, TimeProvider.System);
        ((IComputeBackend)backend).Warm(384);
        Assert.Single(backend.Pool(384).Workers);
        Assert.Empty(backend.Pool(256).Workers);
    }

    [Fact]
    public async Task AMap_StartsTheWorkersBeforeItSerializesItsInputs()
    {
        await using var executor = WrenExecutor.Create(new WrenOptions { Backend = WrenBackend.Local, StoragePath = _storage, LocalWorkers = 1, ConfigPath = "/nonexistent/wren-config.json" });
        var backend = Assert.IsType<LocalBackend>(executor.ComputeBackend);
        Assert.Empty(backend.Pool(MapOptions.DefaultMemoryMb).Workers);
        // An input that cannot travel fails the Map before anything is sent; its workers were started as it began.
        Assert.Throws<Wren.Serialization.WrenSerializationException>(() => executor.Map((object o) => o.ToString(), [new MemoryStream()]));
        Assert.Single(backend.Pool(MapOptions.DefaultMemoryMb).Workers);
        Assert.Empty(backend.Pool(MapOptions.DefaultMemoryMb * 2).Workers);
    }

    [Fact]
    public async Task Warm_AfterTheBackendIsDisposed_StartsNoPool()
    {
        var backend = new LocalBackend(_storage, "wren", 1, TimeProvider.System);
        backend.Warm(256);
        LocalWorkerPool warmed = backend.Pool(256);
        await backend.DisposeAsync();
        Assert.Empty(warmed.Workers);
        // A pool already made is the disposed one, which starts nothing; none is made for another size.
        backend.Warm(256);
        Assert.Empty(warmed.Workers);
        Assert.Throws<ObjectDisposedException>(() => backend.Warm(512));
    }

    [Fact]
    public async Task Warm_AfterThePoolIsDisposed_StartsNothing()
    {
        var pool = new LocalWorkerPool(1, 256, TimeProvider.System);
        await pool.DisposeAsync();
        pool.Warm();
        Assert.Empty(pool.Workers);
    }
}
