using Wren.Backends.Local;

namespace Wren.Benchmarks.Local;

/// <summary>
/// The trivial function the local suite runs, on workers and in-process alike. It lives in a plain static class of its
/// own, so the shipped delegate's closure class is not nested in a benchmark class. (The worker still receives every
/// assembly this one references, BenchmarkDotNet's included, as the local backend ships them.)
/// </summary>
public static class Trivial
{
    /// <summary>The function of every measurement: <c>x =&gt; x + 1</c>.</summary>
    public static readonly Func<int, int> Increment = static x => x + 1;
}

/// <summary>
/// A local executor over a temporary storage folder, warmed by <see cref="CreateWarmAsync"/> or <see cref="WarmAsync"/>.
/// Disposing stops the workers and deletes the folder when the fixture made it.
/// </summary>
public sealed class LocalFixture : IAsyncDisposable
{
    private readonly bool _ownsStorage;

    private LocalFixture(string storage, bool ownsStorage, WrenExecutor executor)
    {
        StoragePath = storage;
        _ownsStorage = ownsStorage;
        Executor = executor;
    }

    public string StoragePath { get; }

    public WrenExecutor Executor { get; }

    /// <summary>How many workers the executor runs: one per core, the local backend's default.</summary>
    public static int Workers => Environment.ProcessorCount;

    /// <summary>The executor's pool at the default memory setting (the one every Map of this suite uses).</summary>
    internal LocalWorkerPool Pool => ((LocalBackend)Executor.ComputeBackend).Pool(MapOptions.DefaultMemoryMb);

    /// <summary>
    /// A new executor (no config file) with storage in <paramref name="storagePath"/>, which stays when the fixture is
    /// disposed, or else in a new temp folder, which is deleted then. No worker is started yet.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The fixture owns the executor and disposes it.")]
    public static LocalFixture Create(int? workers = null, string? storagePath = null)
    {
        string storage = storagePath ?? NewStorageFolder();
        WrenExecutor executor = WrenExecutor.Create(new WrenOptions
        {
            Backend = WrenBackend.Local,
            StoragePath = storage,
            LocalWorkers = workers ?? Workers,
            ConfigPath = "/nonexistent",
        });
        return new LocalFixture(storage, storagePath is null, executor);
    }

    /// <summary>Creates an empty folder for storage under the temp folder.</summary>
    public static string NewStorageFolder()
    {
        string storage = Path.Combine(Path.GetTempPath(), $"wren-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(storage);
        return storage;
    }

    /// <summary>Deletes a storage folder; a file still held by a worker that was just killed may keep it for a moment.</summary>
    public static void DeleteStorageFolder(string storage)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(storage)) Directory.Delete(storage, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 5)
            {
                Thread.Sleep(100);
            }
        }
    }

    /// <summary>A new executor whose workers have all started, loaded the code and run the function a few times.</summary>
    public static async Task<LocalFixture> CreateWarmAsync()
    {
        LocalFixture fixture = Create();
        try
        {
            await fixture.WarmAsync().ConfigureAwait(false);
            return fixture;
        }
        catch
        {
            await fixture.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs Maps with chunks of one until every worker has answered several of them, so that every worker has loaded
    /// the code, and the client and the workers have jitted their paths, before anything is measured.
    /// </summary>
    public async Task WarmAsync()
    {
        int[] inputs = [.. Enumerable.Range(0, 64)];
        var answeredBy = new Dictionary<string, int>();
        for (int round = 0; round < 20; round++)
        {
            FutureList<int> futures = Executor.Map(Trivial.Increment, inputs, new MapOptions { ChunkSize = 1 });
            int[] results = await futures;
            Check(inputs, results);
            foreach (Future<int> future in futures)
                if (future.Stats.WorkerId is { } worker) answeredBy[worker] = answeredBy.GetValueOrDefault(worker) + 1;
            if (answeredBy.Count >= Workers && answeredBy.Values.All(n => n >= 50)) break;
        }
        if (answeredBy.Count < Workers)
            throw new InvalidOperationException($"Only {answeredBy.Count} of {Workers} workers answered during warm-up.");
        // A few large Maps too, so that the big-chunk paths are jitted on both sides.
        int[] many = [.. Enumerable.Range(0, 100_000)];
        for (int i = 0; i < 3; i++) Check(many, await Executor.Map(Trivial.Increment, many));
    }

    /// <summary>Throws unless every result is its input plus one.</summary>
    public static void Check(int[] inputs, int[] results)
    {
        if (results.Length != inputs.Length) throw new InvalidOperationException($"{results.Length} results for {inputs.Length} inputs.");
        for (int i = 0; i < inputs.Length; i++)
            if (results[i] != inputs[i] + 1) throw new InvalidOperationException($"results[{i}] is {results[i]}, not {inputs[i] + 1}.");
    }

    public async ValueTask DisposeAsync()
    {
        await Executor.DisposeAsync().ConfigureAwait(false);
        if (_ownsStorage) DeleteStorageFolder(StoragePath);
    }
}
