using Wren.Protocol;
using Wren.Storage;

namespace Wren.Backends;

/// <summary>Somewhere invocations run: the local worker pool, Lambda, Batch. Each has storage that its workers reach too.</summary>
internal interface IComputeBackend : IAsyncDisposable
{
    string Name { get; }

    IObjectStorage Storage { get; }

    StorageLocation Location { get; }

    /// <summary>How many invocations to keep in flight when a Map does not say.</summary>
    int DefaultConcurrency { get; }

    /// <summary>
    /// How many chunks each concurrent slot gets when the Map does not set a chunk size: several where an invocation is
    /// cheap (work stays balanced), one where each costs a container start.
    /// </summary>
    int ChunksPerSlot => 4;

    /// <summary>
    /// The most calls an automatic chunk holds. Where an invocation costs little but not nothing (the local backend's),
    /// a large Map's first chunks may be larger than the balanced size, shrinking to it as the Map ends (see
    /// <see cref="Jobs.JobSpec.ChunkSizes()"/>).
    /// </summary>
    int MaxChunkCalls => Jobs.JobSpec.BalancedChunkCalls;

    /// <summary>Whether invocations go in the binary envelope (only Wren's own worker reads them, not Lambda's service).</summary>
    bool BinaryMessages => false;

    /// <summary>How many calls of a chunk a worker runs at once when the Map does not say; null for the worker's processor count.</summary>
    int? DefaultWorkerParallelism => null;

    /// <summary>The most input bytes an invocation may carry inline; more goes through storage.</summary>
    int MaxInlineBytes { get; }

    /// <summary>The same for a detached invocation (Lambda's asynchronous payload limit is smaller).</summary>
    int MaxDetachedInlineBytes => MaxInlineBytes;

    /// <summary>Whether a job can run without its client (not where workers are the client's own children).</summary>
    bool RunsDetached => true;

    /// <summary>Whether workers store each invocation's response (asynchronous invocations), rather than return it.</summary>
    bool ResultsThroughStorage { get; }

    /// <summary>Whether workers keep each call's output lines in storage (a backend without a log service).</summary>
    bool StoresCallLogs { get; }

    /// <summary>
    /// Starts, without waiting, what an invocation of <paramref name="memoryMb"/> will need where that takes a while
    /// (the local backend's worker processes), so that it gets ready while a Map captures its function and serializes
    /// its inputs. Nothing where there is nothing to start.
    /// </summary>
    void Warm(int memoryMb)
    {
    }

    /// <summary>Runs one invocation. <paramref name="onRunning"/> is called if the backend learns that a worker took it.</summary>
    Task<InvocationOutcome> InvokeAsync(byte[] envelope, InvocationSettings settings, Action onRunning, CancellationToken cancellationToken);

    /// <summary>
    /// The longest a call of this much memory can run here (Lambda: the function's own timeout), or null for no limit of the backend's; a
    /// <see cref="WrenException"/> when the backend cannot be used at all (a missing function, another protocol).
    /// </summary>
    Task<TimeSpan?> CallTimeLimitAsync(int memoryMb, CancellationToken cancellationToken) => Task.FromResult<TimeSpan?>(null);

    /// <summary>The memory sizes deployed here, smallest first, when known without asking the cloud; null for any size.</summary>
    IReadOnlyList<int>? MemorySizes => null;

    /// <summary>
    /// The memory an invocation asking for <paramref name="memoryMb"/> gets here (<paramref name="given"/>: the Map or
    /// the configuration asked; otherwise it is the default). Never less than asked: a <see cref="WrenException"/> that
    /// says what to do when this backend cannot give it.
    /// </summary>
    Task<int> FitMemoryAsync(int memoryMb, bool given, CancellationToken cancellationToken) => Task.FromResult(memoryMb);

    /// <summary>The next size up from <paramref name="memoryMb"/> that a call out of memory can run again with, or null.</summary>
    int? LargerMemory(int memoryMb) => null;

    /// <summary>What an invocation of this much memory is billed by here, or null where it costs nothing (local workers).</summary>
    Task<BackendPricing?> PricingAsync(int memoryMb, CancellationToken cancellationToken) => Task.FromResult<BackendPricing?>(null);
}

/// <summary>
/// What one invocation asks of the backend: memory, each call's timeout, how many calls, where a stored response goes,
/// GPUs, and the job's folder in storage (a backend that submits many chunks at once keeps them there).
/// </summary>
internal sealed record InvocationSettings(int MemoryMb, TimeSpan CallTimeout, int Calls, string? ResponseKey = null, int Gpus = 0, string? JobKey = null)
{
    /// <summary>
    /// The invocation runs without the client (MapOptions.Detached): asynchronously where the backend can choose, its
    /// response stored at <see cref="ResponseKey"/>, and cancelling it only stops waiting: nothing in the cloud is stopped.
    /// </summary>
    public bool Detached { get; init; }

    /// <summary>Called once the cloud has taken the invocation (queued or submitted), after which it runs without the client.</summary>
    public Action? Accepted { get; init; }
}

/// <summary>How an invocation ended, seen from the client.</summary>
internal abstract record InvocationOutcome
{
    /// <summary>The worker answered (which may still report failed calls), with the end of its log when the backend has it.</summary>
    public sealed record Answered(byte[] Envelope, string? LogTail = null) : InvocationOutcome;

    /// <summary>The worker reported an error for the whole invocation (a bad request, a protocol mismatch).</summary>
    public sealed record Rejected(string ErrorType, string Message) : InvocationOutcome;

    /// <summary>The worker died or vanished before answering; the calls may be tried again.</summary>
    public sealed record Lost(string Reason) : InvocationOutcome;

    /// <summary>The invocation could not be made, for a reason that trying again will not change; the calls fail with it.</summary>
    public sealed record Failed(Exception Error) : InvocationOutcome;
}
