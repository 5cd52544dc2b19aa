namespace Wren.Backends.Local;

/// <summary>An invocation waiting for, or held by, a local worker.</summary>
internal sealed class LocalInvocation(byte[] envelope, DateTimeOffset deadline, Action onRunning)
{
    public string RequestId { get; } = Guid.NewGuid().ToString("N");
    public byte[] Envelope { get; } = envelope;
    public DateTimeOffset Deadline { get; } = deadline;
    public Action OnRunning { get; } = onRunning;
    public TaskCompletionSource<InvocationOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The worker that took it, once one has.</summary>
    public string? WorkerId { get; set; }

    public bool Finish(InvocationOutcome outcome) => Outcome.TrySetResult(outcome);
}
