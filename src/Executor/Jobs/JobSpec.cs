using Wren.Shipping;

namespace Wren.Jobs;

/// <summary>Everything needed to run one Map: the function, the serialized inputs and the settings.</summary>
internal sealed record JobSpec
{
    public required string ExecutorId { get; init; }
    public required string JobId { get; init; }

    /// <summary>The job's id as people see it: executor id, then job number.</summary>
    public string Name => JobIds.Format(ExecutorId, JobId);
    public required CapturedFunction Function { get; init; }

    /// <summary>The function's name for people, as <c>Type.Method</c>.</summary>
    public required string FunctionName { get; init; }

    public DateTimeOffset SubmittedAt { get; init; }

    /// <summary>Every input, serialized.</summary>
    public required InputData Inputs { get; init; }

    public required TimeSpan Timeout { get; init; }

    /// <summary>Whether <see cref="Timeout"/> was asked for (MapOptions.Timeout) rather than a default the backend may set.</summary>
    public bool TimeoutGiven { get; init; }
    public required int MemoryMb { get; init; }

    /// <summary>Whether <see cref="MemoryMb"/> was asked for (MapOptions or the configuration) rather than the default.</summary>
    public bool MemoryGiven { get; init; }
    /// <summary>Calls per invocation; the last chunk may be smaller, and the first ones larger (<see cref="LargestChunk"/>).</summary>
    public required int ChunkSize { get; init; }

    /// <summary>
    /// The most calls a chunk of this job holds: above <see cref="ChunkSize"/>, the first chunks are each a share
    /// (1 / <see cref="ChunkShare"/>) of the calls left, at most this, shrinking to <see cref="ChunkSize"/> (fewer
    /// invocations, and the same balance at the end). Otherwise every chunk is <see cref="ChunkSize"/>.
    /// </summary>
    public int LargestChunk { get; init; }

    /// <summary>How many chunks the calls left are shared among when chunks shrink: the invocations in flight times the chunks per slot.</summary>
    public int ChunkShare { get; init; } = 1;

    /// <summary>The job's chunks in order, as their sizes; they add up to the job's calls.</summary>
    public IEnumerable<int> ChunkSizes() => ChunkSizes(Inputs.Count, ChunkSize, LargestChunk, ChunkShare);

    /// <summary>
    /// Chunks of <paramref name="calls"/>: each a <paramref name="share"/>th of the calls left, from
    /// <paramref name="smallest"/> (the balanced size, and every chunk's size when it is not below
    /// <paramref name="largest"/>) to <paramref name="largest"/>; the last may be smaller.
    /// </summary>
    public static IEnumerable<int> ChunkSizes(int calls, int smallest, int largest, int share)
    {
        largest = Math.Max(smallest, largest);
        for (int left = calls; left > 0;)
        {
            int size = Math.Min(left, Math.Clamp((int)Math.Ceiling(left / (double)Math.Max(1, share)), smallest, largest));
            yield return size;
            left -= size;
        }
    }

    /// <summary>Calls a worker runs at once; null for its processor count.</summary>
    public int? WorkerParallelism { get; init; }
    public required int Concurrency { get; init; }
    public required int Retries { get; init; }

    /// <summary>How often a call that threw runs again, and which of its failures qualify.</summary>
    public int RetryFailedCalls { get; init; }
    public bool Speculation { get; init; }
    public Func<RemoteException, bool>? RetryIf { get; init; }
    public int Gpus { get; init; }

    /// <summary>For a job that reruns some calls of another: the original input index of each call.</summary>
    public int[]? InputIndexes { get; init; }

    public int InputIndexOf(int callId) => InputIndexes?[callId] ?? callId;

    /// <summary>
    /// Whether calls that run out of memory run again at the backend's next size up (a larger Lambda function), and
    /// calls that time out or need more than the largest on the fallback backend (AWS Batch).
    /// </summary>
    public bool Fallback { get; init; }
    public IProgress<MapProgress>? Progress { get; init; }

    /// <summary>Whether the job runs without its client (MapOptions.Detached): responses stored, nothing stopped on disposal.</summary>
    public bool Detached { get; init; }

    /// <summary>The Map's own token: a detached job is stopped (its calls told to) only when this one is cancelled.</summary>
    public CancellationToken MapCancellation { get; init; }

    /// <summary>For a detached job: completes once the cloud has taken each of its first invocations (or the job ended).</summary>
    public TaskCompletionSource? Submitted { get; init; }

    /// <summary>What the calls return, for the job record (a process attaching must ask for the same).</summary>
    public string? ResultType { get; init; }

    /// <summary>Adds up what the job's invocations are billed for (FutureList.Cost).</summary>
    public JobMeter Meter { get; init; } = new();

    /// <summary>What the backend bills this job's invocations by; set when the job starts, null where they cost nothing.</summary>
    public Backends.BackendPricing? Pricing { get; init; }

    /// <summary>
    /// A few chunks per worker (as the backend prefers), so that work stays balanced; at most 2,000 calls per invocation,
    /// and at most <see cref="MaxChunkInputBytes"/> of inputs (judged by the average input), so that a Map of large
    /// inputs does not hand one worker more than it can hold.
    /// </summary>
    public static int AutomaticChunkSize(int calls, int concurrency, int chunksPerSlot = 4, long inputBytes = 0) =>
        WithinInputBytes(Math.Clamp((int)Math.Ceiling(calls / ((double)concurrency * chunksPerSlot)), 1, BalancedChunkCalls), calls, inputBytes);

    /// <summary>The most calls a chunk of the balanced size holds.</summary>
    public const int BalancedChunkCalls = 2000;

    /// <summary>The largest automatic chunk: <paramref name="maxCalls"/> (the backend's), within <see cref="MaxChunkInputBytes"/> of inputs.</summary>
    public static int LargestAutomaticChunk(int calls, int maxCalls, long inputBytes) => WithinInputBytes(Math.Max(1, maxCalls), calls, inputBytes);

    private static int WithinInputBytes(int size, int calls, long inputBytes) =>
        calls > 0 && inputBytes > 0 ? (int)Math.Clamp(MaxChunkInputBytes / Math.Max(1, inputBytes / calls), 1, size) : size;

    /// <summary>The inputs one automatic chunk carries at most: a small part of the least memory a worker has (128 MB).</summary>
    public const long MaxChunkInputBytes = 16 * 1024 * 1024;
}
