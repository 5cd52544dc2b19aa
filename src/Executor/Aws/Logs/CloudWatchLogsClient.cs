using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Wren.Aws.Logs;

/// <summary>
/// CloudWatch Logs (JSON 1.1, Logs_20140328): reading a function's log events, every page of them, and the few writes
/// tests and tools need.
/// </summary>
internal sealed class CloudWatchLogsClient(AwsContext context, HttpMessageHandler? handler = null) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly AwsHttpClient _http = new(context, "CloudWatch Logs", "logs", "logs", handler);

    public void Dispose() => _http.Dispose();

    /// <summary>Every event that matches, following the paging tokens to the end.</summary>
    public async IAsyncEnumerable<LogEvent> FilterLogEventsAsync(FilterLogEventsRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        FilterLogEventsRequest page = request;
        while (true)
        {
            FilterLogEventsResponse response = await CallAsync<FilterLogEventsResponse>("FilterLogEvents", page, cancellationToken).ConfigureAwait(false);
            foreach (LogEvent logEvent in response.Events) yield return logEvent;
            if (string.IsNullOrEmpty(response.NextToken) || response.NextToken == page.NextToken) yield break;
            page = page with { NextToken = response.NextToken };
        }
    }

    /// <summary>Every event of one stream from <paramref name="startTime"/> on, following the forward tokens until they stop changing.</summary>
    public async IAsyncEnumerable<LogEvent> GetLogEventsAsync(string logGroupName, string logStreamName, long? startTime = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        while (true)
        {
            GetLogEventsResponse response = await CallAsync<GetLogEventsResponse>("GetLogEvents", new
            {
                logGroupName,
                logStreamName,
                startTime,
                nextToken = token,
                startFromHead = true,
            }, cancellationToken).ConfigureAwait(false);
            foreach (LogEvent logEvent in response.Events) yield return logEvent with { LogStreamName = logStreamName };
            if (response.NextForwardToken is null || response.NextForwardToken == token || response.Events.Length == 0) yield break;
            token = response.NextForwardToken;
        }
    }

    /// <summary>Every stream of a group, newest events first.</summary>
    public async IAsyncEnumerable<LogStream> DescribeLogStreamsAsync(string logGroupName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        while (true)
        {
            DescribeLogStreamsResponse response = await CallAsync<DescribeLogStreamsResponse>("DescribeLogStreams", new
            {
                logGroupName,
                orderBy = "LastEventTime",
                descending = true,
                nextToken = token,
            }, cancellationToken).ConfigureAwait(false);
            foreach (LogStream stream in response.LogStreams) yield return stream;
            if (string.IsNullOrEmpty(response.NextToken) || response.NextToken == token) yield break;
            token = response.NextToken;
        }
    }

    public Task CreateLogGroupAsync(string logGroupName, CancellationToken cancellationToken = default) =>
        CallAsync<JsonElement>("CreateLogGroup", new { logGroupName }, cancellationToken);

    public Task CreateLogStreamAsync(string logGroupName, string logStreamName, CancellationToken cancellationToken = default) =>
        CallAsync<JsonElement>("CreateLogStream", new { logGroupName, logStreamName }, cancellationToken);

    public Task PutLogEventsAsync(string logGroupName, string logStreamName, IReadOnlyList<InputLogEvent> events, CancellationToken cancellationToken = default) =>
        CallAsync<JsonElement>("PutLogEvents", new { logGroupName, logStreamName, logEvents = events.Select(e => new { timestamp = e.Timestamp, message = e.Message }) }, cancellationToken);

    private async Task<T> CallAsync<T>(string operation, object body, CancellationToken cancellationToken)
    {
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Json);
        var headers = new Dictionary<string, string> { ["X-Amz-Target"] = $"Logs_20140328.{operation}" };
        AwsHttpClient.Response response = await _http.SendAsync(operation, HttpMethod.Post, "", bytes, "application/x-amz-json-1.1", headers, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (response.Body.Length == 0) return default!;
        return JsonSerializer.Deserialize<T>(response.Body, Json)!;
    }
}
