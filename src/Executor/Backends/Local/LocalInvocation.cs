namespace Wren.Backends.Local;

/// <summary>An invocation waiting for, or held by, a local worker.</summary>
internal sealed class LocalInvocation(byte[] envelope, DateTimeOffset deadline, TimeSpan patience, Action onRunning)
{
    private readonly TaskCompletionSource<InvocationOutcome> _answer = new();

    public string RequestId { get; } = Guid.NewGuid().ToString("N");
    public byte[] Envelope { get; } = envelope;
    public DateTimeOffset Deadline { get; } = deadline;

    /// <summary>How long a worker may hold it, from its queuing to <see cref="Deadline"/>.</summary>
    public TimeSpan Patience { get; } = patience;
    public Action OnRunning { get; } = onRunning;

    /// <summary>Its outcome, set at once by whoever finishes it; continuations run on the pool.</summary>
    public TaskCompletionSource<InvocationOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The same outcome for the local pool, which goes on on the thread that completes this: the thread that read the
    /// worker's answer (<see cref="FinishHere"/>), else a pool thread.
    /// </summary>
    public Task<InvocationOutcome> Answer => _answer.Task;

    /// <summary>The worker that took it, once one has.</summary>
    public string? WorkerId { get; set; }

    public void Finish(InvocationOutcome outcome)
    {
        if (Outcome.TrySetResult(outcome))
            ThreadPool.UnsafeQueueUserWorkItem(static state => state._answer.TrySetResult(state.outcome), (_answer, outcome), preferLocal: false);
    }

    /// <summary>
    /// Finishes it and goes on with the local pool's wait on this thread (taking the answer, completing the futures): for
    /// the thread that read the worker's answer, which saves a wake-up of another thread on a call's way back.
    /// </summary>
    public void FinishHere(InvocationOutcome outcome)
    {
        if (Outcome.TrySetResult(outcome)) _answer.TrySetResult(outcome);
    }
}
