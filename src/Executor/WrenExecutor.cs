using System.Reflection;
using Wren.Backends;
using Wren.Backends.Lambda;
using Wren.Configuration;
using Wren.Jobs;
using Wren.Serialization;
using Wren.Shipping;

namespace Wren;

/// <summary>
/// Runs functions over many inputs on a backend: worker processes on this machine, AWS Lambda, or AWS Batch. Create one
/// with <see cref="Create(WrenOptions?)"/>, call <see cref="Map{TIn, TOut}(Func{TIn, TOut}, IEnumerable{TIn}, MapOptions?, CancellationToken)"/>, await the
/// futures, and dispose it to stop its workers. Thread-safe.
/// </summary>
public sealed partial class WrenExecutor : IAsyncDisposable
{
    private readonly WrenConfiguration _configuration;
    private readonly IComputeBackend _backend;
    private readonly JobRunner _runner;
    private readonly Lazy<JobRunner>? _batch;
    private readonly CancellationTokenSource _disposing = new();
    private readonly List<Task> _jobs = [];
    // The jobs that have not ended, by id (guarded by _jobs): a job's record may not be written yet.
    private readonly Dictionary<string, (Task Task, bool Detached)> _jobsById = [];

    /// <summary>Detached Maps still being handed to the cloud: disposing waits for them, so that the jobs run on without this process.</summary>
    private readonly List<Task> _detachedSubmissions = [];

    /// <summary>The longest disposing waits for detached Maps to be submitted.</summary>
    private static readonly TimeSpan SubmissionPatience = TimeSpan.FromMinutes(2);
    private int _nextJob;
    private int _disposed;

    private WrenExecutor(WrenConfiguration configuration, IComputeBackend backend, Func<IComputeBackend>? batch)
    {
        _configuration = configuration;
        _backend = backend;
        if (batch is not null)
        {
            _batch = new Lazy<JobRunner>(() =>
            {
                IComputeBackend created = batch();
                return new JobRunner(created, new CodeUploader(created.Storage, created.Location.Prefix), _configuration.Logger, time: _configuration.Time);
            });
        }
        _runner = new JobRunner(backend, new CodeUploader(backend.Storage, backend.Location.Prefix), _configuration.Logger, _batch is null ? null : () => _batch.Value, _configuration.Time);
        Id = Guid.NewGuid().ToString("N")[..8];
        Storage = CreateStorage(backend);
    }

    /// <summary>
    /// Creates an executor from <paramref name="options"/>, the <c>WREN_*</c> environment variables and the config file
    /// (<c>~/.wren/config.json</c>), in that order of precedence. With nothing configured, calls run on local workers.
    /// </summary>
    public static WrenExecutor Create(WrenOptions? options = null)
    {
        WrenConfiguration configuration = WrenConfiguration.Resolve(options);
        return new WrenExecutor(configuration, Backends.BackendFactory.Create(configuration), Backends.BackendFactory.BatchFor(configuration));
    }

    internal static WrenExecutor Create(WrenConfiguration configuration, IComputeBackend backend, Func<IComputeBackend>? batch = null) => new(configuration, backend, batch);

    /// <summary>This executor's id; its jobs are stored under <c>jobs/&lt;id&gt;/</c>.</summary>
    public string Id { get; }

    /// <summary>Where this executor's calls run.</summary>
    public WrenBackend Backend => _configuration.Backend;

    internal IComputeBackend ComputeBackend => _backend;

    /// <summary>Calls <paramref name="function"/> on every input, remotely; the futures come back in input order.</summary>
    /// <exception cref="WrenSerializationException">The function's closure or an input cannot travel (nothing was uploaded).</exception>
    public FutureList<TOut> Map<TIn, TOut>(Func<TIn, TOut> function, IEnumerable<TIn> inputs, MapOptions? options = null, CancellationToken cancellationToken = default) =>
        Submit<TIn, TOut>(function, inputs, options, cancellationToken);

    /// <summary>Calls the asynchronous <paramref name="function"/> on every input, remotely.</summary>
    /// <exception cref="WrenSerializationException">The function's closure or an input cannot travel (nothing was uploaded).</exception>
    public FutureList<TOut> Map<TIn, TOut>(Func<TIn, Task<TOut>> function, IEnumerable<TIn> inputs, MapOptions? options = null, CancellationToken cancellationToken = default) =>
        Submit<TIn, TOut>(function, inputs, options, cancellationToken);

    /// <summary>Calls <paramref name="function"/> once, remotely.</summary>
    public Future<TOut> CallAsync<TIn, TOut>(Func<TIn, TOut> function, TIn input, MapOptions? options = null, CancellationToken cancellationToken = default) =>
        Submit<TIn, TOut>(function, [input], options, cancellationToken)[0];

    /// <summary>Calls the asynchronous <paramref name="function"/> once, remotely.</summary>
    public Future<TOut> CallAsync<TIn, TOut>(Func<TIn, Task<TOut>> function, TIn input, MapOptions? options = null, CancellationToken cancellationToken = default) =>
        Submit<TIn, TOut>(function, [input], options, cancellationToken)[0];

    /// <summary>Maps <paramref name="map"/> over the inputs, then runs <paramref name="reduce"/> remotely on all the results, in input order.</summary>
    /// <exception cref="WrenSerializationException">A closure or an input cannot travel (nothing was uploaded).</exception>
    public Future<TResult> MapReduce<TIn, TMid, TResult>(Func<TIn, TMid> map, IEnumerable<TIn> inputs, Func<IReadOnlyList<TMid>, TResult> reduce, MapOptions? options = null, CancellationToken cancellationToken = default)
    {
        PreparedJob<TResult> reduction = Prepare<TResult>(reduce, typeof(IReadOnlyList<TMid>), 1, options);
        FutureList<TMid> mapped = Map(map, inputs, options, cancellationToken);
        Track(ReduceAsync(mapped, reduction, cancellationToken));
        return reduction.States.FutureOf(0);
    }

    private async Task ReduceAsync<TMid, TResult>(FutureList<TMid> mapped, PreparedJob<TResult> reduction, CancellationToken cancellationToken)
    {
        try
        {
            TMid[] parts = await mapped.GetResultsAsync(_disposing.Token).ConfigureAwait(false);
            Start<IReadOnlyList<TMid>, TResult>(reduction, [parts], cancellationToken);
        }
        catch (Exception e)
        {
            reduction.States.Fail(0, e);
        }
    }

    /// <summary>Waits until the futures are done as <paramref name="mode"/> says, and reports which are done and which not.</summary>
    public async Task<WaitResult> WaitAsync(IEnumerable<Future> futures, WaitMode mode = WaitMode.AllCompleted, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(futures);
        Future[] all = [.. futures];
        Task[] completions = [.. all.Select(f => f.Completion)];
        switch (mode)
        {
            case WaitMode.AllCompleted:
                await Task.WhenAll(completions).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                cancellationToken.ThrowIfCancellationRequested();
                break;
            case WaitMode.AnyCompleted when all.Length > 0 && !all.Any(f => f.IsCompleted):
                await Task.WhenAny(completions).WaitAsync(cancellationToken).ConfigureAwait(false);
                break;
        }
        return new WaitResult([.. all.Where(f => f.IsCompleted)], [.. all.Where(f => !f.IsCompleted)]);
    }

    private FutureList<TOut> Submit<TIn, TOut>(Delegate function, IEnumerable<TIn> inputs, MapOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        TIn[] items = [.. inputs];
        PreparedJob<TOut> job = Prepare<TOut>(function, typeof(TIn), items.Length, options);
        Start(job, items, cancellationToken);
        return new FutureList<TOut>(JobIds.Format(Id, job.JobId), job.States) { Name = job.FunctionName, Meter = job.Meter };
    }

    private sealed record PreparedJob<TOut>(string JobId, CapturedFunction Function, string FunctionName, FutureStates<TOut> States, MapOptions Options)
    {
        public JobMeter Meter { get; } = new();
    }

    /// <summary>Checks the options and captures the function: everything that can fail before any I/O.</summary>
    private PreparedJob<TOut> Prepare<TOut>(Delegate function, Type inputType, int count, MapOptions? options)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentNullException.ThrowIfNull(function);
        options = (options ?? new MapOptions()).Validated();
        // Local workers start now, while the function is captured and the inputs serialized: a fresh process's first Map
        // would otherwise wait for them after all that (about 100 ms here). A Map that fails from here on leaves them idle.
        _backend.Warm(MemoryAsked(options) ?? MapOptions.DefaultMemoryMb);
        CapturedFunction captured = FunctionCapture.Capture(function, inputType, typeof(TOut));
        string jobId = $"M{Interlocked.Increment(ref _nextJob):D4}";
        var states = new FutureStates<TOut>(count, _configuration.Time.GetUtcNow());
        string name = FunctionNames.Of((function.Target as Data.IContextFunction)?.Inner.Method ?? function.Method);
        return new PreparedJob<TOut>(jobId, captured, name, states, options);
    }

    /// <summary>Serializes the inputs (failing synchronously if one cannot travel) and starts the job in the background.</summary>
    private void Start<TIn, TOut>(PreparedJob<TOut> job, TIn[] inputs, CancellationToken cancellationToken)
    {
        InputData data = InputData.Serialize(inputs);
        job.States.InputLengths = data.Lengths;
        MapOptions options = job.Options;
        TimeSpan timeout = options.Timeout ?? _configuration.Timeout ?? MapOptions.DefaultTimeout;
        int? memoryAsked = MemoryAsked(options);
        JobRunner runner = RunnerFor(timeout, memoryAsked, options.Gpus ?? 0);
        bool detached = options.Detached == true;
        if (detached) CheckDetachable(runner, options);
        int concurrency = options.MaxConcurrency ?? runner.Backend.DefaultConcurrency;
        // A detached job's chunks are all submitted at once, so that none waits for this process: one per slot by default.
        int chunksPerSlot = detached ? 1 : runner.Backend.ChunksPerSlot;
        int chunkSize = options.ChunkSize ?? JobSpec.AutomaticChunkSize(inputs.Length, concurrency, chunksPerSlot, data.TotalBytes);
        // Automatic chunks of a job this process follows may start larger, where the backend says invocations are worth saving.
        int largestChunk = options.ChunkSize is null && !detached ? JobSpec.LargestAutomaticChunk(inputs.Length, runner.Backend.MaxChunkCalls, data.TotalBytes) : chunkSize;
        if (detached) concurrency = Math.Max(1, (inputs.Length + chunkSize - 1) / chunkSize);
        var spec = new JobSpec
        {
            ExecutorId = Id,
            JobId = job.JobId,
            Function = job.Function,
            FunctionName = job.FunctionName,
            SubmittedAt = job.States.SubmittedAt,
            Inputs = data,
            Timeout = timeout,
            TimeoutGiven = options.Timeout is not null,
            MemoryMb = memoryAsked ?? MapOptions.DefaultMemoryMb,
            MemoryGiven = memoryAsked is not null,
            ChunkSize = chunkSize,
            LargestChunk = largestChunk,
            ChunkShare = concurrency * chunksPerSlot,
            WorkerParallelism = options.WorkerParallelism,
            Concurrency = concurrency,
            Retries = options.Retries ?? MapOptions.DefaultRetries,
            RetryFailedCalls = options.RetryFailedCalls ?? 0,
            RetryIf = options.RetryIf,
            Speculation = options.Speculation == true,
            Progress = options.Progress,
            Gpus = options.Gpus ?? 0,
            Fallback = options.BatchFallback == true,
            Meter = job.Meter,
            Detached = detached,
            MapCancellation = cancellationToken,
            Submitted = detached ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null,
            ResultType = ResultTypeName(typeof(TOut)),
        };
        // Without Batch, BatchFallback can still step calls out of memory up to a larger Lambda function, if one is deployed.
        if (spec.Fallback && _batch is null && runner.Backend.MemorySizes is not { Count: > 1 })
            throw new WrenException("MapOptions.BatchFallback needs AWS Batch, which is not set up: run `wren deploy-batch` (or deploy several Lambda sizes with `wren deploy-lambda --memory`, for calls out of memory to step up to).");
        if (spec.Submitted is { } submitted)
            lock (_jobs) _detachedSubmissions.Add(submitted.Task);
        var sink = new FutureSink<TOut>(job.States, ResultOptions(job.Function));
        // Started on the caller's thread, which runs it up to its first wait: for a single call, that is the invocation
        // handed to the backend (locally, written to a waiting worker), without waking another thread first.
        Track(job.JobId, detached, RunJobAsync(runner, spec, sink, cancellationToken));
    }

    /// <summary>The memory a Map asks for: its own option, else the configuration's; null for the backend's default.</summary>
    private int? MemoryAsked(MapOptions options) => options.MemoryMb ?? _configuration.MemoryMb;

    private async Task RunJobAsync<TOut>(JobRunner runner, JobSpec spec, FutureSink<TOut> sink, CancellationToken cancellationToken)
    {
        // Cancelling the Map's token (or disposing the executor) stops the job: its futures fail, Batch jobs are terminated.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token, cancellationToken);
        await runner.RunAsync(spec, sink, cancel.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Lambda unless the Map asks for more than Lambda allows or the deployed functions give (a longer timeout, more
    /// memory, a GPU): then Batch, if it is set up.
    /// </summary>
    private JobRunner RunnerFor(TimeSpan timeout, int? memoryMb, int gpus)
    {
        if (_configuration.Backend != WrenBackend.Lambda) return _runner;
        IReadOnlyList<int>? sizes = _backend.MemorySizes;
        int mostMemory = sizes is { Count: > 0 } ? sizes.Max() : LambdaLimits.MaxMemoryMb;
        bool tooLong = timeout > LambdaLimits.MaxTimeout, tooBig = memoryMb > mostMemory;
        if (!tooLong && !tooBig && gpus == 0) return _runner;
        if (_batch is not null) return _batch.Value;
        if (tooBig && sizes is { Count: > 0 } && memoryMb <= LambdaLimits.MaxMemoryMb) throw LambdaBackend.NotEnoughMemory(memoryMb.Value, sizes);
        string what = gpus > 0 ? $"{gpus} GPU" : tooLong ? $"a timeout of {timeout.TotalSeconds:0} s, over {LambdaLimits.MaxTimeoutSeconds}" : $"{memoryMb} MB, over {LambdaLimits.MaxMemoryMb}";
        throw new WrenException($"This Map asks for more than Lambda allows ({what}), so it needs AWS Batch: run `wren deploy-batch`.");
    }

    /// <summary>
    /// The options results are read with: the function's own assemblies are allowed. Made once per set of code (a
    /// function's code list is shared by every capture of it): looking through the loaded assemblies takes about 0.2 ms.
    /// </summary>
    private static WrenSerializerOptions ResultOptions(CapturedFunction function) => ResultOptionsByCode.GetValue(function.Code, static code =>
    {
        var names = code.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assembly[] assemblies = [.. AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && names.Contains(a.GetName().Name ?? ""))];
        return new WrenSerializerOptions { AllowedAssemblies = assemblies };
    });

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<CodeAssembly>, WrenSerializerOptions> ResultOptionsByCode = new();

    private void Track(Task job)
    {
        lock (_jobs)
        {
            _jobs.RemoveAll(t => t.IsCompleted);
            _jobs.Add(job);
        }
    }

    private void Track(string jobId, bool detached, Task job)
    {
        lock (_jobs)
        {
            _jobs.RemoveAll(t => t.IsCompleted);
            _jobs.Add(job);
            foreach ((string id, (Task task, bool _)) in _jobsById)
                if (task.IsCompleted) _jobsById.Remove(id);
            _jobsById[jobId] = (job, detached);
        }
    }

    /// <summary>Whether this executor's job <paramref name="jobId"/> (without the executor's id) is detached, while it runs; null once it has ended, or if it is not this executor's.</summary>
    private bool? RunningJobIsDetached(string jobId)
    {
        lock (_jobs) return _jobsById.TryGetValue(jobId, out (Task Task, bool Detached) job) && !job.Task.IsCompleted ? job.Detached : null;
    }

    /// <summary>
    /// Waits for the jobs started so far to end, their bookkeeping included, and writes the short jobs' page now rather
    /// than within a second (tests read what <c>wren jobs</c> shows right after a Map).
    /// </summary>
    internal async Task WriteBookkeepingAsync()
    {
        // The Maps' jobs, not the followers of attached jobs, which may run for long.
        Task[] jobs;
        lock (_jobs) jobs = [.. _jobsById.Values.Select(job => job.Task)];
        await Task.WhenAll(jobs).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await FlushBooksAsync().ConfigureAwait(false);
    }

    /// <summary>Writes the pages of short jobs not yet written, of each runner that has any.</summary>
    private async Task FlushBooksAsync()
    {
        await _runner.Book.FlushAsync().ConfigureAwait(false);
        if (_batch is { IsValueCreated: true }) await _batch.Value.Book.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until every detached Map has been handed to the cloud, then cancels calls still running (their futures fail;
    /// a detached Map's calls run on), writes the bookkeeping of the jobs that ended last, stops the workers and releases
    /// the backend.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        // Once, even when disposed from several threads at once: the others return at once.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Task[] submissions;
        lock (_jobs) submissions = [.. _detachedSubmissions];
        await Task.WhenAll(submissions).WaitAsync(SubmissionPatience, _configuration.Time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _disposing.Cancel();
        Task[] jobs;
        lock (_jobs) jobs = [.. _jobs];
        await Task.WhenAll(jobs).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // Then the short jobs' records and stats not yet written, while the storage is open.
        await FlushBooksAsync().ConfigureAwait(false);
        await _backend.DisposeAsync().ConfigureAwait(false);
        foreach (Lazy<Storage.S3Storage> bucket in _otherBuckets.Values)
            if (bucket.IsValueCreated) bucket.Value.Dispose();
        if (_batch is { IsValueCreated: true }) await _batch.Value.Backend.DisposeAsync().ConfigureAwait(false);
        _disposing.Dispose();
    }
}
