namespace Wren.Aws.Logs;

// The parts of CloudWatch Logs' JSON shapes that Wren uses, with the API's own (camelCase) names.

internal sealed record LogEvent
{
    public string? LogStreamName { get; init; }
    public long Timestamp { get; init; }
    public string Message { get; init; } = "";
    public long IngestionTime { get; init; }
    public string? EventId { get; init; }
}

internal sealed record FilterLogEventsRequest
{
    public required string LogGroupName { get; init; }
    public string[]? LogStreamNames { get; init; }
    public long? StartTime { get; init; }
    public long? EndTime { get; init; }
    public string? FilterPattern { get; init; }
    public string? NextToken { get; init; }
    public int? Limit { get; init; }
}

internal sealed record FilterLogEventsResponse
{
    public LogEvent[] Events { get; init; } = [];
    public string? NextToken { get; init; }
}

internal sealed record GetLogEventsResponse
{
    public LogEvent[] Events { get; init; } = [];
    public string? NextForwardToken { get; init; }
    public string? NextBackwardToken { get; init; }
}

internal sealed record LogStream
{
    public string LogStreamName { get; init; } = "";
    public long? CreationTime { get; init; }
    public long? FirstEventTimestamp { get; init; }
    public long? LastEventTimestamp { get; init; }
}

internal sealed record DescribeLogStreamsResponse
{
    public LogStream[] LogStreams { get; init; } = [];
    public string? NextToken { get; init; }
}

internal sealed record InputLogEvent(long Timestamp, string Message);
