using System.Runtime.CompilerServices;

namespace Wren;

/// <summary>A call running somewhere: its status, its stats, and in time its result or its exception.</summary>
public abstract class Future
{
    private protected Future(int inputIndex, DateTimeOffset submittedAt)
    {
        InputIndex = inputIndex;
        Stats = new FutureStats { SubmittedAt = submittedAt };
    }

    /// <summary>The index of the call's input in the Map.</summary>
    public int InputIndex { get; }

    /// <summary>Where the call is now.</summary>
    public FutureStatus Status { get; private set; } = FutureStatus.Pending;

    /// <summary>What is known so far of how the call ran.</summary>
    public FutureStats Stats { get; private set; }

    /// <summary>Whether the call has succeeded or failed.</summary>
    public bool IsCompleted => Completion.IsCompleted;

    /// <summary>Completes when the call does; faults with the call's exception.</summary>
    public abstract Task Completion { get; }

    internal void MarkInvoked()
    {
        if (Status == FutureStatus.Pending) Status = FutureStatus.Invoked;
    }

    internal void MarkRunning()
    {
        if (Status is FutureStatus.Pending or FutureStatus.Invoked) Status = FutureStatus.Running;
    }

    internal void MarkFinished(bool succeeded) => Status = succeeded ? FutureStatus.Succeeded : FutureStatus.Failed;

    internal void UpdateStats(Func<FutureStats, FutureStats> update) => Stats = update(Stats);

    internal abstract void Fail(Exception exception);
}

/// <summary>A call that returns a <typeparamref name="T"/>; await it for the result.</summary>
public sealed class Future<T> : Future
{
    private readonly TaskCompletionSource<T> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal Future(int inputIndex, DateTimeOffset submittedAt) : base(inputIndex, submittedAt) { }

    /// <inheritdoc />
    public override Task Completion => _result.Task;

    /// <summary>Waits for the result; a failed call throws its <see cref="RemoteException"/>, <see cref="WrenTimeoutException"/> or other <see cref="WrenException"/>.</summary>
    public Task<T> GetResultAsync(CancellationToken cancellationToken = default) => _result.Task.WaitAsync(cancellationToken);

    /// <summary>Lets <c>await future</c> give the result.</summary>
    public TaskAwaiter<T> GetAwaiter() => _result.Task.GetAwaiter();

    internal void Succeed(T value)
    {
        MarkFinished(succeeded: true);
        _result.TrySetResult(value);
    }

    internal override void Fail(Exception exception)
    {
        MarkFinished(succeeded: false);
        _result.TrySetException(exception);
    }
}
