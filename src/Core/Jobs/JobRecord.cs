namespace Wren.Jobs;

/// <summary>What is stored about a job when it starts, at <c>jobs/&lt;executor&gt;/&lt;job&gt;/job</c>.</summary>
internal sealed record JobRecord
{
    public required string ExecutorId { get; init; }
    public required string JobId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required int Calls { get; init; }

    /// <summary>The function, as <c>Type.Method</c>.</summary>
    public required string Function { get; init; }

    public required string Backend { get; init; }

    /// <summary>The hashes of the code files the job uses (cleanup keeps those of jobs that remain).</summary>
    public string[] CodeHashes { get; init; } = [];

    /// <summary>The names of the assemblies the job ships (a process attaching reads results of their types).</summary>
    public string[] CodeNames { get; init; } = [];

    /// <summary>Whether the job runs without its client (<c>MapOptions.Detached</c>), keeping every response in storage.</summary>
    public bool Detached { get; init; }

    /// <summary>What the calls return, as <c>Namespace.Type, Assembly</c>: a process attaching must ask for the same.</summary>
    public string? ResultType { get; init; }

    /// <summary>How often a call that threw runs again: a process attaching takes a failure as final after that many.</summary>
    public int RetryFailedCalls { get; init; }

    /// <summary>Each call's timeout and the calls per invocation, for how long a process attaching waits for an answer.</summary>
    public double TimeoutSeconds { get; init; }

    public int ChunkSize { get; init; }
}

/// <summary>How each call of a job went, stored when the job ends at <c>jobs/&lt;executor&gt;/&lt;job&gt;/stats</c>.</summary>
internal sealed record JobStats
{
    public required string JobId { get; init; }
    public required CallRecord[] Calls { get; init; }

    /// <summary>How many calls ran a second time as stragglers (<c>MapOptions.Speculation</c>).</summary>
    public int Duplicates { get; init; }

    /// <summary>Invocations made, retries and duplicates included.</summary>
    public int Invocations { get; init; }

    /// <summary>Billed memory-time, in GB-seconds (zero on the local backend).</summary>
    public double BilledGbSeconds { get; init; }

    /// <summary>Wren's estimate of the cost in USD, from AWS's list prices (zero on the local backend).</summary>
    public double EstimatedUsd { get; init; }
}

/// <summary>How one call went.</summary>
internal sealed record CallRecord
{
    public required int CallId { get; init; }
    public required CallStatus Status { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public bool? ColdStart { get; init; }
    public string? WorkerId { get; init; }
    public long? PeakMemoryBytes { get; init; }
    public long BytesIn { get; init; }
    public long? BytesOut { get; init; }
    public int Attempts { get; init; }

    /// <summary>For a failed call: the exception's type and message.</summary>
    public string? Error { get; init; }
}

/// <summary>How a call ended, as stored.</summary>
internal enum CallStatus
{
    Succeeded,
    Failed,
    TimedOut,
    Lost,
    Cancelled,
}
