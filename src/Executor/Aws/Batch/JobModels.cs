using System.Text.Json.Serialization;

namespace Wren.Aws.Batch;

// The parts of the Batch API's job shapes that Wren uses, with the API's property names.

/// <summary>The statuses a job goes through; SUCCEEDED and FAILED are final.</summary>
internal static class JobStatus
{
    public const string Submitted = "SUBMITTED";
    public const string Pending = "PENDING";
    public const string Runnable = "RUNNABLE";
    public const string Starting = "STARTING";
    public const string Running = "RUNNING";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";

    public static bool IsFinal(string? status) => status is Succeeded or Failed;
}

/// <summary>An array job's size: Batch runs that many child jobs, with ids &lt;parent&gt;:0 to &lt;parent&gt;:size-1 (2 to 10,000).</summary>
internal sealed record ArrayProperties
{
    public required int Size { get; init; }
}

/// <summary>What one submission changes in its job definition's container.</summary>
internal sealed record ContainerOverrides
{
    public List<string>? Command { get; init; }
    public List<EnvironmentVariable>? Environment { get; init; }
    public List<ResourceRequirement>? ResourceRequirements { get; init; }
}

internal sealed record SubmitJobRequest
{
    public required string JobName { get; init; }

    /// <summary>The queue's name or ARN.</summary>
    public required string JobQueue { get; init; }

    /// <summary>The definition's name (its latest active revision), name:revision, or ARN.</summary>
    public required string JobDefinition { get; init; }

    /// <summary>Null for a plain job; it is then left out of the request.</summary>
    public ArrayProperties? ArrayProperties { get; init; }

    public ContainerOverrides? ContainerOverrides { get; init; }
    public RetryStrategy? RetryStrategy { get; init; }
    public JobTimeout? Timeout { get; init; }
    public Dictionary<string, string>? Parameters { get; init; }
    public Dictionary<string, string>? Tags { get; init; }
}

internal sealed record SubmitJobResult
{
    public string JobId { get; init; } = "";
    public string JobName { get; init; } = "";
    public string? JobArn { get; init; }
}

/// <summary>
/// An array job's progress: on the parent, the size and how many children are in each status; on a child, its index.
/// </summary>
internal sealed record ArrayPropertiesDetail
{
    public Dictionary<string, int>? StatusSummary { get; init; }
    public int? Size { get; init; }
    public int? Index { get; init; }
}

/// <summary>A job's container as it ran or will run; exit code, reason and log stream once it has run.</summary>
internal sealed record ContainerDetail
{
    public string? Image { get; init; }
    public List<string>? Command { get; init; }
    public List<EnvironmentVariable>? Environment { get; init; }
    public List<ResourceRequirement>? ResourceRequirements { get; init; }
    public string? JobRoleArn { get; init; }
    public string? ExecutionRoleArn { get; init; }
    public int? ExitCode { get; init; }
    public string? Reason { get; init; }
    public string? LogStreamName { get; init; }
}

/// <summary>The container of one attempt at a job.</summary>
internal sealed record AttemptContainerDetail
{
    public int? ExitCode { get; init; }
    public string? Reason { get; init; }
    public string? LogStreamName { get; init; }
    public string? TaskArn { get; init; }
}

/// <summary>One attempt at a job: a job with a retry strategy may have several.</summary>
internal sealed record AttemptDetail
{
    public AttemptContainerDetail? Container { get; init; }
    public long? StartedAt { get; init; }
    public long? StoppedAt { get; init; }
    public string? StatusReason { get; init; }
}

/// <summary>A job as DescribeJobs gives it. Times are Unix milliseconds, as the API has them.</summary>
internal sealed record JobDetail
{
    public string JobId { get; init; } = "";
    public string JobName { get; init; } = "";
    public string? JobArn { get; init; }
    public string? JobQueue { get; init; }
    public string? JobDefinition { get; init; }

    /// <summary>One of <see cref="Batch.JobStatus"/>'s values.</summary>
    public string Status { get; init; } = "";

    public string? StatusReason { get; init; }
    public long? CreatedAt { get; init; }
    public long? StartedAt { get; init; }
    public long? StoppedAt { get; init; }
    public ArrayPropertiesDetail? ArrayProperties { get; init; }
    public ContainerDetail? Container { get; init; }
    public List<AttemptDetail>? Attempts { get; init; }
    public RetryStrategy? RetryStrategy { get; init; }
    public JobTimeout? Timeout { get; init; }
    public Dictionary<string, string>? Parameters { get; init; }

    [JsonIgnore] public DateTimeOffset? Created => Time(CreatedAt);

    [JsonIgnore] public DateTimeOffset? Started => Time(StartedAt);

    [JsonIgnore] public DateTimeOffset? Stopped => Time(StoppedAt);

    private static DateTimeOffset? Time(long? milliseconds) => milliseconds is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}
