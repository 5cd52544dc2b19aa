using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Wren.Aws.Lambda;

/// <summary>The Lambda API (rest-json, 2015-03-31) operations Wren uses: invoke, and manage the runtime function.</summary>
internal sealed class LambdaClient(AwsContext context, HttpMessageHandler? handler = null) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly AwsHttpClient _http = new(context, "Lambda", "lambda", "lambda", handler);

    public void Dispose() => _http.Dispose();

    public AwsHttpClient Http => _http;

    public async Task<InvokeResult> InvokeAsync(string functionName, byte[] payload, InvocationType type, bool tailLog, RetryPolicy? retry = null, CancellationToken cancellationToken = default)
    {
        var headers = new Dictionary<string, string> { ["X-Amz-Invocation-Type"] = type.ToString() };
        if (tailLog && type == InvocationType.RequestResponse) headers["X-Amz-Log-Type"] = "Tail";
        AwsHttpClient.Response response = await _http.SendAsync("Invoke", HttpMethod.Post, $"2015-03-31/functions/{Escape(functionName)}/invocations",
            payload, "application/json", headers, retry ?? RetryPolicy.Patient, cancellationToken).ConfigureAwait(false);
        string? log = response.Header("X-Amz-Log-Result") is { Length: > 0 } encoded ? Encoding.UTF8.GetString(Convert.FromBase64String(encoded)) : null;
        return new InvokeResult((int)response.Status, response.Header("X-Amz-Function-Error"), log, response.Body);
    }

    public Task<FunctionConfiguration> CreateFunctionAsync(CreateFunctionRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync<FunctionConfiguration>("CreateFunction", HttpMethod.Post, "2015-03-31/functions", request, cancellationToken);

    /// <summary>Replaces the function's code; the architecture changes with the code (UpdateFunctionConfiguration cannot change it).</summary>
    public Task<FunctionConfiguration> UpdateFunctionCodeAsync(string functionName, string s3Bucket, string s3Key, string architecture, CancellationToken cancellationToken = default) =>
        SendJsonAsync<FunctionConfiguration>("UpdateFunctionCode", HttpMethod.Put, $"2015-03-31/functions/{Escape(functionName)}/code",
            new { S3Bucket = s3Bucket, S3Key = s3Key, Architectures = new[] { architecture } }, cancellationToken);

    public Task<FunctionConfiguration> UpdateFunctionConfigurationAsync(UpdateFunctionConfigurationRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync<FunctionConfiguration>("UpdateFunctionConfiguration", HttpMethod.Put, $"2015-03-31/functions/{Escape(request.FunctionName)}/configuration", request, cancellationToken);

    /// <summary>The function's configuration, or null when there is no such function.</summary>
    public async Task<FunctionConfiguration?> GetFunctionConfigurationAsync(string functionName, CancellationToken cancellationToken = default)
    {
        try
        {
            return await SendJsonAsync<FunctionConfiguration>("GetFunctionConfiguration", HttpMethod.Get, $"2015-03-31/functions/{Escape(functionName)}/configuration", null, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ResourceNotFoundException")
        {
            return null;
        }
    }

    public async Task DeleteFunctionAsync(string functionName, CancellationToken cancellationToken = default) =>
        await _http.SendAsync("DeleteFunction", HttpMethod.Delete, $"2015-03-31/functions/{Escape(functionName)}", null, null, cancellationToken: cancellationToken).ConfigureAwait(false);

    public Task<EventInvokeConfig> PutFunctionEventInvokeConfigAsync(string functionName, int maximumRetryAttempts, int maximumEventAgeInSeconds, CancellationToken cancellationToken = default) =>
        SendJsonAsync<EventInvokeConfig>("PutFunctionEventInvokeConfig", HttpMethod.Put, $"2019-09-25/functions/{Escape(functionName)}/event-invoke-config",
            new EventInvokeConfig { MaximumRetryAttempts = maximumRetryAttempts, MaximumEventAgeInSeconds = maximumEventAgeInSeconds }, cancellationToken);

    public async Task<EventInvokeConfig?> GetFunctionEventInvokeConfigAsync(string functionName, CancellationToken cancellationToken = default)
    {
        try
        {
            return await SendJsonAsync<EventInvokeConfig>("GetFunctionEventInvokeConfig", HttpMethod.Get, $"2019-09-25/functions/{Escape(functionName)}/event-invoke-config", null, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ResourceNotFoundException")
        {
            return null;
        }
    }

    private async Task<T> SendJsonAsync<T>(string operation, HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        byte[]? bytes = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Json);
        AwsHttpClient.Response response = await _http.SendAsync(operation, method, path, bytes, bytes is null ? null : "application/json", cancellationToken: cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<T>(response.Body, Json) ?? throw new WrenException($"Lambda {operation} returned an empty answer.");
    }

    private static string Escape(string name) => Uri.EscapeDataString(name);
}
