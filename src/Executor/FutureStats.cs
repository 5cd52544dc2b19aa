namespace Wren;

/// <summary>What is known of how a call ran.</summary>
public sealed record FutureStats
{
    /// <summary>When Map was called.</summary>
    public DateTimeOffset SubmittedAt { get; init; }

    /// <summary>When the worker started the call (the worker's clock).</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the worker finished the call (the worker's clock).</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Whether the call was the first its worker ran (a cold start).</summary>
    public bool? ColdStart { get; init; }

    /// <summary>The worker that ran the call.</summary>
    public string? WorkerId { get; init; }

    /// <summary>The worker process's peak memory by the end of the call's invocation, in bytes.</summary>
    public long? PeakMemoryBytes { get; init; }

    /// <summary>The size of the serialized input, in bytes.</summary>
    public long BytesIn { get; init; }

    /// <summary>The size of the serialized result, in bytes.</summary>
    public long? BytesOut { get; init; }

    /// <summary>How many times the call was sent to a worker.</summary>
    public int Attempts { get; init; }

    /// <summary>
    /// The billed time of the run that gave this call's result: its share of its invocation's billed duration (rounded up
    /// to the millisecond, as Lambda bills), split among the invocation's calls by their run times. Zero on the local
    /// backend; null until the call ends. <see cref="FutureList{T}.Cost"/> adds up every run, retries and duplicates included.
    /// </summary>
    public TimeSpan? BilledDuration { get; init; }

    /// <summary>The call's run time on the worker.</summary>
    public TimeSpan? Duration => EndedAt - StartedAt;
}
