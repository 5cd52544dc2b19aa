namespace Wren;

/// <summary>
/// What a running call knows about itself, passed to functions that take it as their second parameter
/// (<c>(TIn input, CallContext context) =&gt; ...</c>).
/// </summary>
public sealed class CallContext
{
    // Answers with the context of the call running now on this flow of execution.
    private static readonly AsyncLocal<ICallSource?> CurrentCall = new();
    private readonly ICallControl _control;

    internal CallContext(WrenStorage storage, ICallControl control, int inputIndex, int attempt, string jobId, object? log = null)
    {
        Storage = storage;
        _control = control;
        InputIndex = inputIndex;
        Attempt = attempt;
        JobId = jobId;
        Log = log;
    }

    /// <summary>What the worker running a call controls: the call's token (made only when asked for) and its time left.</summary>
    internal interface ICallControl
    {
        CancellationToken Token { get; }

        TimeSpan RemainingTime { get; }
    }

    /// <summary>
    /// Where a flow that runs one call after another finds the current call's context: set once for the flow, it spares
    /// each call a write of the <see cref="AsyncLocal{T}"/> (a new execution context each) and a context the call never
    /// looks at.
    /// </summary>
    internal interface ICallSource
    {
        /// <summary>The context of the call running now; null between calls.</summary>
        CallContext? Context { get; }
    }

    /// <summary>The worker's log of this call (its lines, their tag); null outside a worker.</summary>
    internal object? Log { get; }

    /// <summary>The Map's data store, as <c>WrenExecutor.Storage</c> is in the client.</summary>
    public WrenStorage Storage { get; }

    /// <summary>Trips when the call must stop: its timeout (or the invocation's deadline) is near, or the Map was cancelled.</summary>
    public CancellationToken CancellationToken => _control.Token;

    /// <summary>The index of this call's input in the Map's inputs.</summary>
    public int InputIndex { get; }

    /// <summary>Which run of this call this is, from 1.</summary>
    public int Attempt { get; }

    /// <summary>How long the call may still run before its timeout or the invocation's deadline, whichever is first.</summary>
    public TimeSpan RemainingTime => _control.RemainingTime is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;

    /// <summary>The job's id, as <c>wren jobs</c> and <c>wren logs --job</c> show it.</summary>
    public string JobId { get; }

    /// <summary>The context of the call running on this flow of execution, or null outside a call.</summary>
    internal static CallContext? Current => CurrentCall.Value?.Context;

    /// <summary>From now on, on this flow of execution (and the tasks it starts), the current call is <paramref name="source"/>'s.</summary>
    internal static void Follow(ICallSource source) => CurrentCall.Value = source;

    /// <summary>The current call's context; a clear error outside one.</summary>
    internal static CallContext Require() => Current ?? throw new WrenException(
        "There is no CallContext here: a function's CallContext exists only while Wren runs the call on a worker.");
}
