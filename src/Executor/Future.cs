using System.Runtime.CompilerServices;
using Wren.Jobs;

namespace Wren;

/// <summary>A call running somewhere: its status, its stats, and in time its result or its exception.</summary>
/// <remarks>
/// A Map may have millions of calls, so their state lives in arrays kept by the Map, and a future is only a view of one
/// call, made the first time it is asked for (then always the same object). Its task is made only when something waits
/// on it (awaiting one future, <see cref="Completion"/>); awaiting a whole <see cref="FutureList{T}"/> makes no future.
/// </remarks>
public abstract class Future
{
    private readonly FutureStates _states;

    private protected Future(FutureStates states, int inputIndex)
    {
        _states = states;
        InputIndex = inputIndex;
    }

    /// <summary>The index of the call's input in the Map.</summary>
    public int InputIndex { get; }

    /// <summary>Where the call is now.</summary>
    public FutureStatus Status => _states.StatusOf(InputIndex);

    /// <summary>What is known so far of how the call ran.</summary>
    public FutureStats Stats => _states.StatsOf(InputIndex);

    /// <summary>Whether the call has succeeded or failed.</summary>
    public bool IsCompleted => _states.IsCompleted(InputIndex);

    /// <summary>Completes when the call does; faults with the call's exception.</summary>
    public abstract Task Completion { get; }

    /// <summary>The exception the call failed with, or null.</summary>
    internal Exception? Error => _states.ErrorOf(InputIndex);
}

/// <summary>A call that returns a <typeparamref name="T"/>; await it for the result.</summary>
public sealed class Future<T> : Future
{
    private readonly FutureStates<T> _states;
    private TaskCompletionSource<T>? _task;

    internal Future(FutureStates<T> states, int inputIndex) : base(states, inputIndex) => _states = states;

    /// <inheritdoc />
    public override Task Completion => Task;

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
            // A full fence above, then a look at the status, while the completer sets the status, then looks for the task:
            // completed before the task was made, the task takes the outcome now (completing twice is harmless).
            if (IsCompleted) Publish(task);
            return task.Task;
        }
    }

    /// <summary>Hands the call's outcome to the task, if one has been made; the call has completed.</summary>
    internal void Publish()
    {
        if (Volatile.Read(ref _task) is { } task) Publish(task);
    }

    private void Publish(TaskCompletionSource<T> task)
    {
        if (_states.TryGetResult(InputIndex, out T value, out Exception? error)) task.TrySetResult(value);
        else task.TrySetException(error!);
    }
}
