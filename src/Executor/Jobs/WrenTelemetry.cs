using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Wren.Jobs;

/// <summary>
/// Wren's traces and log events. Each Map is an activity <c>Wren.Map</c> and each invocation a child <c>Wren.Invoke</c>
/// of the ActivitySource named <c>Wren</c>, so OpenTelemetry (or any ActivityListener) sees them with no exporter of
/// Wren's own; the events go to the logger of <see cref="WrenOptions.LoggerFactory"/>, category <c>Wren</c>.
/// </summary>
internal static partial class WrenTelemetry
{
    public const string SourceName = "Wren";

    public static readonly ActivitySource Source = new(SourceName, typeof(WrenTelemetry).Assembly.GetName().Version?.ToString(3));

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Map {JobId} ({Function}) started: {Calls} calls on {Backend}")]
    public static partial void MapStarted(ILogger logger, string jobId, string function, int calls, string backend);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Map {JobId} ended: {Succeeded} succeeded, {Failed} failed in {Seconds:0.###} s; {Cost}")]
    public static partial void MapEnded(ILogger logger, string jobId, int succeeded, int failed, double seconds, JobCost cost);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Map {JobId} failed before its calls could run")]
    public static partial void MapFailed(ILogger logger, string jobId, Exception error);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Map {JobId}: an invocation of {Calls} calls on {Backend} was lost ({Reason}); {Again} of them run again")]
    public static partial void InvocationLost(ILogger logger, string jobId, int calls, string backend, string reason, int again);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Map {JobId}: call {Input} threw {ErrorType} on attempt {Attempt}; it runs again")]
    public static partial void CallRetried(ILogger logger, string jobId, int input, string errorType, int attempt);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Map {JobId}: call {Input} failed: {Message}")]
    public static partial void CallFailed(ILogger logger, string jobId, int input, string message);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Map {JobId}: {Calls} calls outgrew {Backend} (their time or memory); they run again on AWS Batch")]
    public static partial void FallingBack(ILogger logger, string jobId, int calls, string backend);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Map {JobId}: {Calls} calls ran out of memory at {MemoryMb} MB; running them again at {LargerMb} MB")]
    public static partial void SteppingUp(ILogger logger, string jobId, int calls, int memoryMb, int largerMb);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "{Service} answered {Operation} with {Reason} (attempt {Attempt}); retrying in {DelayMs:0} ms")]
    public static partial void RequestRetried(ILogger logger, string service, string operation, string reason, int attempt, double delayMs);

    /// <summary>Logs each request an AWS client sends again (throttled, a server error, a dropped connection).</summary>
    public static void LogRetries(Aws.AwsHttpClient http, ILogger logger, string service) =>
        http.Retrying = (operation, reason, attempt, delay) => RequestRetried(logger, service, operation, reason, attempt, delay.TotalMilliseconds);
}
