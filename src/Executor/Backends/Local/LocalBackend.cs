using System.Collections.Concurrent;
using Wren.Protocol;
using Wren.Storage;

namespace Wren.Backends.Local;

/// <summary>
/// The embedded backend: worker processes on this machine running the same Runtime API loop as Lambda, and storage in
/// a folder with the same layout as S3. One pool of workers per memory setting.
/// </summary>
internal sealed class LocalBackend(string storagePath, string prefix, int workers, TimeProvider time, string? dataPath = null) : IComputeBackend
{
    private readonly ConcurrentDictionary<int, Lazy<LocalWorkerPool>> _pools = new();
    private bool _disposed;
    private readonly FileStorage _storage = new(storagePath);

    public string Name => "local";

    public IObjectStorage Storage => _storage;

    public StorageLocation Location { get; } = StorageLocation.ForFolder(storagePath) with { Prefix = prefix, DataPath = Path.GetFullPath(dataPath ?? storagePath.TrimEnd('/') + "-data") };

    /// <summary>
    /// Two invocations per worker: one running and one waiting at the Runtime API, so that a worker takes its next
    /// chunk the moment it answers instead of idling while its answer travels and the next chunk is built.
    /// </summary>
    public int DefaultConcurrency => workers * InvocationsPerWorker;

    private const int InvocationsPerWorker = 2;

    /// <summary>With two invocations per worker, two chunks per slot keep the automatic chunk size at a quarter of a worker's share.</summary>
    public int ChunksPerSlot => 2;

    /// <summary>
    /// A large Map's first chunks hold up to 10,000 calls: an invocation costs this process about a quarter of a
    /// millisecond whatever its size (its request, its answer, the threads they wake), which with 2,000-call chunks was
    /// a third of a trivial Map's time. The chunks shrink to the balanced size as the Map ends.
    /// </summary>
    public int MaxChunkCalls => 10_000;

    /// <summary>One call at a time per worker: the pool already runs a worker per core, and calls side by side in one would contend for it.</summary>
    public int? DefaultWorkerParallelism => 1;

    public int MaxInlineBytes => 4 * 1024 * 1024;

    /// <summary>Only Wren's own worker reads the local Runtime API: messages go without the JSON and base64 envelope.</summary>
    public bool BinaryMessages => true;

    public bool RunsDetached => false;

    public bool StoresCallLogs => true;

    public bool ResultsThroughStorage => false;

    public LocalWorkerPool Pool(int memoryMb)
    {
        if (_pools.TryGetValue(memoryMb, out Lazy<LocalWorkerPool>? made)) return made.Value;
        lock (_pools)
        {
            // A pool made once the backend is disposed would start workers that nothing stops.
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _pools.GetOrAdd(memoryMb, memory => new Lazy<LocalWorkerPool>(() => new LocalWorkerPool(workers, memory, time))).Value;
        }
    }

    public void Warm(int memoryMb) => Pool(memoryMb).Warm();

    public Task<InvocationOutcome> InvokeAsync(byte[] envelope, InvocationSettings settings, Action onRunning, CancellationToken cancellationToken) =>
        Pool(settings.MemoryMb).InvokeAsync(envelope, settings, onRunning, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Lazy<LocalWorkerPool>[] pools;
        lock (_pools)
        {
            _disposed = true;
            pools = [.. _pools.Values];
        }
        foreach (Lazy<LocalWorkerPool> pool in pools)
            if (pool.IsValueCreated) await pool.Value.DisposeAsync().ConfigureAwait(false);
        _storage.Dispose();
    }
}
