using System.Runtime.CompilerServices;
using Wren.Jobs;
using Wren.Protocol;

namespace Wren;

/// <summary>A call running somewhere: its status, its stats, and in time its result or its exception.</summary>
/// <remarks>
/// A Map may have millions of futures, so a future is small: its result and its stats are plain fields, its task is made
/// only when something asks for it (awaiting one future, <see cref="Completion"/>), and awaiting a whole
/// <see cref="FutureList{T}"/> waits on one count for the Map rather than on a task per call.
/// </remarks>
public abstract class Future
{
    private const int Completing = -1;

    private readonly DateTimeOffset _submittedAt;
    private readonly FutureGroup? _group;
    private int _status = (int)FutureStatus.Pending;
    private int _attempts;
    // The worker's measurements: a boxed CallStats, or the response that holds them in its columns (at _measuredIndex),
    // so that a call returned in a response costs its future no copy of them.
    private object? _measured;
    private int _measuredIndex;
    private bool _billed;

    private protected Future(int inputIndex, DateTimeOffset submittedAt, FutureGroup? group)
    {
        InputIndex = inputIndex;
        _submittedAt = submittedAt;
        _group = group;
    }

    /// <summary>The index of the call's input in the Map.</summary>
    public int InputIndex { get; }

    /// <summary>Where the call is now.</summary>
    public FutureStatus Status => Volatile.Read(ref _status) is var status and not Completing ? (FutureStatus)status : FutureStatus.Running;

    /// <summary>What is known so far of how the call ran.</summary>
    public FutureStats Stats => Measured is { } stats
        ? new FutureStats
        {
            SubmittedAt = _submittedAt,
            Attempts = _attempts,
            StartedAt = new DateTimeOffset(stats.Started, TimeSpan.Zero),
            EndedAt = new DateTimeOffset(stats.Ended, TimeSpan.Zero),
            ColdStart = stats.ColdStart,
            WorkerId = stats.WorkerId,
            PeakMemoryBytes = stats.PeakMemoryBytes,
            BytesIn = stats.BytesIn,
            BytesOut = stats.BytesOut,
            BilledDuration = TimeSpan.FromMilliseconds(stats.BilledMs),
        }
        : new FutureStats { SubmittedAt = _submittedAt, Attempts = _attempts };

    /// <summary>Whether the call has succeeded or failed.</summary>
    public bool IsCompleted => Status is FutureStatus.Succeeded or FutureStatus.Failed;

    /// <summary>Completes when the call does; faults with the call's exception.</summary>
    public abstract Task Completion { get; }

    /// <summary>The exception the call failed with, or null.</summary>
    internal abstract Exception? Error { get; }

    internal void MarkInvoked(int attempt)
    {
        _attempts = attempt;
        Interlocked.CompareExchange(ref _status, (int)FutureStatus.Invoked, (int)FutureStatus.Pending);
    }

    internal void MarkRunning()
    {
        if (Interlocked.CompareExchange(ref _status, (int)FutureStatus.Running, (int)FutureStatus.Pending) != (int)FutureStatus.Pending)
            Interlocked.CompareExchange(ref _status, (int)FutureStatus.Running, (int)FutureStatus.Invoked);
    }

    private CallStats? Measured => _measured switch
    {
        CallStats stats => stats,
        InvocationResponse response when response.StatsOf(_measuredIndex) is { } stats => _billed ? stats : stats with { BilledMs = 0 },
        _ => null,
    };

    /// <summary>Keeps the worker's measurements of the call.</summary>
    internal void Record(CallStats? stats)
    {
        if (stats is { } measured) _measured = measured;
    }

    /// <summary>Keeps where the worker's measurements of the call are: call <paramref name="index"/> of <paramref name="response"/>.</summary>
    internal void Record(InvocationResponse response, int index, bool billed)
    {
        _measuredIndex = index;
        _billed = billed;
        _measured = response;
    }

    /// <summary>Claims the right to complete the future: true once, for the first caller.</summary>
    private protected bool TryBeginCompletion()
    {
        int status;
        do
        {
            status = Volatile.Read(ref _status);
            if (status is (int)FutureStatus.Succeeded or (int)FutureStatus.Failed or Completing) return false;
        }
        while (Interlocked.CompareExchange(ref _status, Completing, status) != status);
        return true;
    }

    /// <summary>Publishes the outcome written since <see cref="TryBeginCompletion"/>, and counts it for the Map.</summary>
    private protected void EndCompletion(bool succeeded)
    {
        // A full fence: the completer then looks for a task, while whoever makes the task looks at the status.
        Interlocked.Exchange(ref _status, (int)(succeeded ? FutureStatus.Succeeded : FutureStatus.Failed));
        _group?.OneDone();
    }

    internal abstract void Fail(Exception exception);
}

/// <summary>A call that returns a <typeparamref name="T"/>; await it for the result.</summary>
public sealed class Future<T> : Future
{
    private T? _value;
    private Exception? _error;
    private TaskCompletionSource<T>? _task;

    internal Future(int inputIndex, DateTimeOffset submittedAt, FutureGroup? group = null) : base(inputIndex, submittedAt, group) { }

    /// <inheritdoc />
    public override Task Completion => Task;

    internal override Exception? Error => IsCompleted ? _error : null;

    /// <summary>Waits for the result; a failed call throws its <see cref="RemoteException"/>, <see cref="WrenTimeoutException"/> or other <see cref="WrenException"/>.</summary>
    public Task<T> GetResultAsync(CancellationToken cancellationToken = default) => Task.WaitAsync(cancellationToken);

    /// <summary>Lets <c>await future</c> give the result.</summary>
    public TaskAwaiter<T> GetAwaiter() => Task.GetAwaiter();

    /// <summary>The future's task, made the first time it is asked for.</summary>
    private Task<T> Task
    {
        get
        {
            if (Volatile.Read(ref _task) is { } existing) return existing.Task;
            var made = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            TaskCompletionSource<T> task = Interlocked.CompareExchange(ref _task, made, null) ?? made;
            // Completed before the task was made: the task takes the outcome now (completing twice is harmless).
            if (IsCompleted) Publish(task);
            return task.Task;
        }
    }

    /// <summary>The result of a call that succeeded, or its exception; only once the future is completed.</summary>
    internal bool TryGetResult(out T value, out Exception? error)
    {
        value = _value!;
        error = _error;
        return Status == FutureStatus.Succeeded;
    }

    internal void Succeed(T value)
    {
        if (!TryBeginCompletion()) return;
        _value = value;
        EndCompletion(succeeded: true);
        if (Volatile.Read(ref _task) is { } task) Publish(task);
    }

    internal override void Fail(Exception exception)
    {
        if (!TryBeginCompletion()) return;
        _error = exception;
        EndCompletion(succeeded: false);
        if (Volatile.Read(ref _task) is { } task) Publish(task);
    }

    private void Publish(TaskCompletionSource<T> task)
    {
        if (Status == FutureStatus.Succeeded) task.TrySetResult(_value!);
        else task.TrySetException(_error!);
    }
}
