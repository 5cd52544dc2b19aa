namespace Wren;

/// <summary>Settings for one Map or call; a null property takes its default.</summary>
public sealed class MapOptions
{
    /// <summary>The default timeout of one call: 5 minutes.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The default memory of a worker: 1,024 MB.</summary>
    public const int DefaultMemoryMb = 1024;

    /// <summary>The default number of retries of a call whose worker died: 2.</summary>
    public const int DefaultRetries = 2;

    /// <summary>How long one call may run. Past it the call fails with <see cref="WrenTimeoutException"/> and its worker is replaced.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Memory for the worker, in MB: the local backend's GC heap limit, Lambda's memory size.</summary>
    public int? MemoryMb { get; init; }

    /// <summary>
    /// Calls per invocation, every invocation alike. Default: automatic, about four invocations per worker, with at most
    /// 2,000 calls and 16 MB of inputs in each; on the local backend a large Map's first invocations hold up to 10,000
    /// calls, shrinking to that size as the Map ends.
    /// </summary>
    public int? ChunkSize { get; init; }

    /// <summary>
    /// How many calls of a chunk a worker runs at once (default: on Lambda and Batch the worker's processor count, which on
    /// Lambda follows the memory size: 1,769 MB is one vCPU, 10,240 MB six; on the local backend 1, as it runs a worker per
    /// core). Each call keeps its own stats, log lines, timeout and
    /// out-of-memory handling. Set 1 for calls that are not safe to run side by side in one process.
    /// </summary>
    public int? WorkerParallelism { get; init; }

    /// <summary>At most this many invocations in flight. Default: the backend's (local: two per worker, one running and one waiting).</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>How often a call whose worker died (killed, crashed, out of memory) is tried again before it fails.</summary>
    public int? Retries { get; init; }

    /// <summary>
    /// How often a call that throws is run again before its future fails (default 0). The future then throws the last
    /// <see cref="RemoteException"/>, which says how many attempts there were. Timeouts and dead workers follow <see cref="Retries"/>.
    /// </summary>
    public int? RetryFailedCalls { get; init; }

    /// <summary>Which failures <see cref="RetryFailedCalls"/> retries (default: every one); evaluated by the client.</summary>
    public Func<RemoteException, bool>? RetryIf { get; init; }

    /// <summary>
    /// Whether stragglers run twice (default false): once three quarters of the calls are done, a call running longer
    /// than three times the median of the finished ones (and at least 2 s) runs again on another worker; the first
    /// answer resolves it, the other is dropped and its <see cref="CallContext.CancellationToken"/> trips.
    /// </summary>
    public bool? Speculation { get; init; }

    /// <summary>GPUs per worker. Any GPU sends the Map to AWS Batch (Lambda has none).</summary>
    public int? Gpus { get; init; }

    /// <summary>
    /// Whether calls that time out or run out of memory on Lambda are run again on AWS Batch, with four times the timeout
    /// (at least an hour) and twice the memory (at least 4 GB). Default: false. Needs <c>wren deploy-batch</c>.
    /// </summary>
    public bool? BatchFallback { get; init; }

    /// <summary>
    /// Whether the job runs without this process (default false): every chunk is submitted at once (Lambda
    /// asynchronously, as Event invocations), every result or error is kept in storage, and disposing the executor or
    /// ending the process leaves the calls running. Another process attaches with
    /// <see cref="WrenExecutor.AttachAsync{T}(string, CancellationToken)"/> and the job's <see cref="FutureList{T}.JobId"/>.
    /// Lambda and AWS Batch only: local workers are this process's children.
    /// </summary>
    public bool? Detached { get; init; }

    /// <summary>Receives progress reports: calls submitted, running, done and failed.</summary>
    public IProgress<MapProgress>? Progress { get; init; }

    internal MapOptions Validated()
    {
        var problems = new List<string>();
        if (Timeout is { } timeout && timeout <= TimeSpan.Zero) problems.Add($"Timeout is {timeout}; it must be positive");
        if (MemoryMb is < Backends.Lambda.LambdaLimits.MinMemoryMb) problems.Add($"MemoryMb is {MemoryMb}; it must be at least {Backends.Lambda.LambdaLimits.MinMemoryMb}");
        if (ChunkSize is < 1) problems.Add($"ChunkSize is {ChunkSize}; it must be at least 1");
        if (WorkerParallelism is < 1) problems.Add($"WorkerParallelism is {WorkerParallelism}; it must be at least 1");
        if (MaxConcurrency is < 1) problems.Add($"MaxConcurrency is {MaxConcurrency}; it must be at least 1");
        if (Retries is < 0) problems.Add($"Retries is {Retries}; it cannot be negative");
        if (RetryFailedCalls is < 0) problems.Add($"RetryFailedCalls is {RetryFailedCalls}; it cannot be negative");
        if (Gpus is < 0) problems.Add($"Gpus is {Gpus}; it cannot be negative");
        if (problems.Count > 0) throw new ArgumentException($"Invalid MapOptions: {string.Join("; ", problems)}.");
        return this;
    }
}

/// <summary>How far a Map has come.</summary>
/// <param name="Submitted">Calls sent to the backend so far.</param>
/// <param name="Running">Calls a worker has taken and not finished.</param>
/// <param name="Done">Calls that succeeded.</param>
/// <param name="Failed">Calls that failed for good.</param>
/// <param name="Total">Calls in the Map.</param>
public sealed record MapProgress(int Submitted, int Running, int Done, int Failed, int Total);
