using Wren.Protocol;

namespace Wren.Jobs;

/// <summary>
/// The state of every call of one job, in arrays: status, attempts, the worker's measurements and the error, and a count
/// of the calls still open. A Map of 100,000 calls is then a few arrays rather than 100,000 objects that all live as long
/// as the Map and are copied from generation to generation by the GC; a <see cref="Future"/> is only a view of one index.
/// </summary>
internal abstract class FutureStates
{
    private const int Completing = -1;

    private readonly int[] _status;
    private readonly int[] _attempts;
    // The worker's measurements: a boxed CallStats, or the response that holds them in its columns (at _measuredIndex),
    // so that a call returned in a response costs no copy of them.
    private readonly object?[] _measured;
    private readonly int[] _measuredIndex;
    private readonly bool[] _billed;
    private readonly TaskCompletionSource _done;
    // Made at the first failure: most Maps have none.
    private Exception?[]? _errors;
    private int _open;

    private protected FutureStates(int count, DateTimeOffset submittedAt)
    {
        SubmittedAt = submittedAt;
        _status = new int[count];
        _attempts = new int[count];
        _measured = new object?[count];
        _measuredIndex = new int[count];
        _billed = new bool[count];
        _open = count;
        _done = new TaskCompletionSource();
        if (count == 0) _done.SetResult();
    }

    /// <summary>When the job was submitted: the same for every call.</summary>
    public DateTimeOffset SubmittedAt { get; }

    /// <summary>
    /// Each input's length in bytes, for a call's stats (a worker's answer does not repeat them); null for a job
    /// attached to, whose stored answers do. The lengths alone: the inputs' bytes are not kept past the job.
    /// </summary>
    public int[]? InputLengths { get; set; }

    /// <summary>How many calls the job has.</summary>
    public int Count => _status.Length;

    /// <summary>
    /// Completes when every call has. Its continuations run on the thread that completed the last call, so awaiting a
    /// whole Map waits on this one count rather than on a task per call.
    /// </summary>
    public Task Done => _done.Task;

    public FutureStatus StatusOf(int index) =>
        Volatile.Read(ref _status[index]) is var status and not Completing ? (FutureStatus)status : FutureStatus.Running;

    public bool IsCompleted(int index) => StatusOf(index) is FutureStatus.Succeeded or FutureStatus.Failed;

    /// <summary>The exception call <paramref name="index"/> failed with, once it has; else null.</summary>
    public Exception? ErrorOf(int index) => StatusOf(index) == FutureStatus.Failed ? Volatile.Read(ref _errors)![index] : null;

    public FutureStats StatsOf(int index) => Measured(index) is { } stats
        ? new FutureStats
        {
            SubmittedAt = SubmittedAt,
            Attempts = _attempts[index],
            StartedAt = new DateTimeOffset(stats.Started, TimeSpan.Zero),
            EndedAt = new DateTimeOffset(stats.Ended, TimeSpan.Zero),
            ColdStart = stats.ColdStart,
            WorkerId = stats.WorkerId,
            PeakMemoryBytes = stats.PeakMemoryBytes,
            BytesIn = stats.BytesIn,
            BytesOut = stats.BytesOut,
            BilledDuration = TimeSpan.FromMilliseconds(stats.BilledMs),
        }
        : new FutureStats { SubmittedAt = SubmittedAt, Attempts = _attempts[index] };

    /// <summary>
    /// Call <paramref name="index"/> as the job's stats keep it, written to row <paramref name="row"/> of
    /// <paramref name="stats"/> from these arrays (no future, no record); a call that has not ended yet is kept as failed,
    /// so write it when the call is done.
    /// </summary>
    public void WriteStats(int index, JobStats.Builder stats, int row)
    {
        Exception? error = ErrorOf(index);
        CallStatus status = StatusOf(index) == FutureStatus.Succeeded ? CallStatus.Succeeded : CallRecords.StatusOf(error);
        long submitted = SubmittedAt.UtcTicks;
        // A call returned in a response is written from the response's columns, without a record of its stats: a Map
        // of ten million calls is written after it ends, beside whatever runs next.
        if (Volatile.Read(ref _measured[index]) is InvocationResponse response && _measuredIndex[index] is int at && (response.Started[at] != 0 || response.Ended[at] != 0))
            stats.Set(row, status, submitted, response.Started[at], response.Ended[at], at == response.ColdCall, response.WorkerId, response.PeakMemoryBytes,
                at < response.InputLengths.Length ? response.InputLengths[at] : InputLengths?[index] ?? 0, response.OutputLengths[at], _attempts[index], CallRecords.Describe(error));
        else if (Measured(index) is { } measured)
            stats.Set(row, status, submitted, measured.Started.Ticks, measured.Ended.Ticks, measured.ColdStart, measured.WorkerId, measured.PeakMemoryBytes,
                measured.BytesIn, measured.BytesOut, _attempts[index], CallRecords.Describe(error));
        else stats.Set(row, status, submitted, 0, 0, null, null, null, 0, null, _attempts[index], CallRecords.Describe(error));
    }

    private CallStats? Measured(int index) => Volatile.Read(ref _measured[index]) switch
    {
        CallStats stats => stats,
        InvocationResponse response when response.StatsOf(_measuredIndex[index], InputLengths?[index] ?? 0) is { } stats => _billed[index] ? stats : stats with { BilledMs = 0 },
        _ => null,
    };

    public void MarkInvoked(int index, int attempt)
    {
        _attempts[index] = attempt;
        Interlocked.CompareExchange(ref _status[index], (int)FutureStatus.Invoked, (int)FutureStatus.Pending);
    }

    public void MarkRunning(int index)
    {
        // A call is marked invoked before it runs, so that comes first: one exchange per call, not two.
        if (Interlocked.CompareExchange(ref _status[index], (int)FutureStatus.Running, (int)FutureStatus.Invoked) != (int)FutureStatus.Invoked)
            Interlocked.CompareExchange(ref _status[index], (int)FutureStatus.Running, (int)FutureStatus.Pending);
    }

    /// <summary>Keeps the worker's measurements of call <paramref name="index"/>.</summary>
    public void Record(int index, CallStats? stats)
    {
        if (stats is { } measured) Volatile.Write(ref _measured[index], measured);
    }

    /// <summary>Keeps where the worker's measurements of call <paramref name="index"/> are: call <paramref name="at"/> of <paramref name="response"/>.</summary>
    public void Record(int index, InvocationResponse response, int at, bool billed)
    {
        _measuredIndex[index] = at;
        _billed[index] = billed;
        Volatile.Write(ref _measured[index], response);
    }

    /// <summary>Fails call <paramref name="index"/>, unless it has completed already.</summary>
    public void Fail(int index, Exception exception)
    {
        if (!TryBeginCompletion(index)) return;
        Exception?[] errors = LazyArray.Get(ref _errors, Count);
        errors[index] = exception;
        EndCompletion(index, succeeded: false);
    }

    /// <summary>Claims the right to complete call <paramref name="index"/>: true once, for the first caller.</summary>
    private protected bool TryBeginCompletion(int index)
    {
        int status;
        do
        {
            status = Volatile.Read(ref _status[index]);
            if (status is (int)FutureStatus.Succeeded or (int)FutureStatus.Failed or Completing) return false;
        }
        while (Interlocked.CompareExchange(ref _status[index], Completing, status) != status);
        return true;
    }

    /// <summary>Publishes the outcome written since <see cref="TryBeginCompletion"/>: to the job's count, and to the call's future if one is awaited.</summary>
    private protected void EndCompletion(int index, bool succeeded)
    {
        // A full fence: the completer then looks for a future's task, while whoever makes the task looks at the status.
        Interlocked.Exchange(ref _status[index], (int)(succeeded ? FutureStatus.Succeeded : FutureStatus.Failed));
        if (Interlocked.Decrement(ref _open) == 0) _done.TrySetResult();
        Completed(index);
    }

    /// <summary>Every call's exception, in input order, or null if none failed; once <see cref="Done"/>.</summary>
    private protected List<Exception>? Failures() => Volatile.Read(ref _errors) is { } errors ? [.. errors.OfType<Exception>()] : null;

    /// <summary>Hands call <paramref name="index"/>'s outcome to its future's task, if both have been made.</summary>
    private protected abstract void Completed(int index);
}

/// <summary>The state of every call of a job whose function returns a <typeparamref name="T"/>: adds the results and the futures made so far.</summary>
internal sealed class FutureStates<T>(int count, DateTimeOffset submittedAt) : FutureStates(count, submittedAt)
{
    private readonly T[] _values = new T[count];
    // Made when the first future is asked for; a Map only awaited whole never makes one.
    private Future<T>?[]? _futures;

    /// <summary>The future of call <paramref name="index"/>: made the first time it is asked for, then the same object.</summary>
    public Future<T> FutureOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        Future<T>?[] futures = LazyArray.Get(ref _futures, Count);
        return Volatile.Read(ref futures[index]) ?? Interlocked.CompareExchange(ref futures[index], new Future<T>(this, index), null) ?? futures[index]!;
    }

    /// <summary>How many futures have been made (for tests: awaiting a whole Map should make none).</summary>
    public int FuturesMade => Volatile.Read(ref _futures)?.Count(f => f is not null) ?? 0;

    /// <summary>The result of call <paramref name="index"/> if it succeeded, or its exception; only once it has completed.</summary>
    public bool TryGetResult(int index, out T value, out Exception? error)
    {
        bool succeeded = StatusOf(index) == FutureStatus.Succeeded;
        value = succeeded ? _values[index] : default!;
        error = succeeded ? null : ErrorOf(index);
        return succeeded;
    }

    /// <summary>Completes call <paramref name="index"/> with <paramref name="value"/>, unless it has completed already.</summary>
    public void Succeed(int index, T value)
    {
        if (!TryBeginCompletion(index)) return;
        _values[index] = value;
        EndCompletion(index, succeeded: true);
    }

    private protected override void Completed(int index)
    {
        if (Volatile.Read(ref _futures) is { } futures && Volatile.Read(ref futures[index]) is { } future) future.Publish();
    }

    /// <summary>
    /// The results in input order, read from the arrays once <see cref="FutureStates.Done"/> (no future is made);
    /// faulted with every failure, in input order, if any call failed.
    /// </summary>
    public Task<T[]> AllAsync()
    {
        var all = new TaskCompletionSource<T[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        Done.ContinueWith(_ =>
        {
            // A copy: the caller may change its array, and a future made later reads its result from ours.
            if (Failures() is { } errors) all.TrySetException(errors);
            else all.TrySetResult([.. _values]);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return all.Task;
    }
}
