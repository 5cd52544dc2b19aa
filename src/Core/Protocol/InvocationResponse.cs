namespace Wren.Protocol;

/// <summary>What a worker returns for an invocation: one result per call.</summary>
internal sealed record InvocationResponse
{
    public required string WorkerId { get; init; }
    public required CallResult[] Calls { get; init; }

    /// <summary>Set when the worker will exit after this response (a call ran past its timeout and is still running).</summary>
    public bool WorkerExiting { get; init; }
}

/// <summary>How one call ended.</summary>
internal enum CallOutcome
{
    Succeeded,
    Failed,
    TimedOut,
    NotRun,
}

/// <summary>One call's result: its output (inline or in storage) or its error, and its stats.</summary>
internal sealed record CallResult
{
    public required int CallId { get; init; }
    public required CallOutcome Outcome { get; init; }
    public byte[]? Output { get; init; }
    public string? OutputKey { get; init; }
    public RemoteError? Error { get; init; }
    public CallStats? Stats { get; init; }

    /// <summary>The last lines the call wrote, if any.</summary>
    public string? LogTail { get; init; }
}

/// <summary>An exception as it crosses processes: type, message, stack trace and the exception that caused it.</summary>
internal sealed record RemoteError(string Type, string Message, string? StackTrace, RemoteError? Inner)
{
    public static RemoteError From(Exception exception, int depth = 0) =>
        new(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, exception.StackTrace,
            exception.InnerException is { } inner && depth < 8 ? From(inner, depth + 1) : null);
}

/// <summary>Measurements of one call, taken on the worker.</summary>
internal sealed record CallStats
{
    public DateTime Started { get; init; }
    public DateTime Ended { get; init; }
    public bool ColdStart { get; init; }
    public string WorkerId { get; init; } = "";
    public long PeakMemoryBytes { get; init; }
    public long BytesIn { get; init; }
    public long BytesOut { get; init; }

    /// <summary>
    /// The call's share of its invocation's billed time, in ms: the invocation from the worker taking it to its answer,
    /// rounded up to the millisecond as Lambda bills it, split among its calls in proportion to their run times.
    /// </summary>
    public long BilledMs { get; init; }
}
