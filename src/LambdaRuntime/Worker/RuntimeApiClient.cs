using System.Net.Http.Headers;
using System.Text.Json;

namespace Wren.Worker;

/// <summary>
/// The Lambda Runtime API over HTTP (version 2018-06-01) at <c>AWS_LAMBDA_RUNTIME_API</c>: the same calls against
/// Lambda and against the local backend, which hosts this API itself.
/// </summary>
internal sealed class RuntimeApiClient : IRuntimeApi, IDisposable
{
    private readonly HttpClient _http;
    private readonly string _workerId;

    public RuntimeApiClient(string endpoint, string workerId)
    {
        _workerId = workerId;
        // The next call is a long poll: it waits for as long as no invocation arrives.
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(30) })
        {
            BaseAddress = new Uri($"http://{endpoint}/2018-06-01/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<RuntimeInvocation> NextAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "runtime/invocation/next");
        request.Headers.Add("Wren-Worker", _workerId);
        using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        string requestId = Header(response, "Lambda-Runtime-Aws-Request-Id")
            ?? throw new WrenException("The Runtime API answered without a Lambda-Runtime-Aws-Request-Id header.");
        DateTimeOffset? deadline = long.TryParse(Header(response, "Lambda-Runtime-Deadline-Ms"), out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        byte[] payload = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new RuntimeInvocation(requestId, deadline, payload);
    }

    public async Task RespondAsync(string requestId, byte[] response, CancellationToken cancellationToken = default)
    {
        using var content = new ByteArrayContent(response);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage answer = await _http.PostAsync($"runtime/invocation/{requestId}/response", content, cancellationToken).ConfigureAwait(false);
        answer.EnsureSuccessStatusCode();
    }

    public Task ReportErrorAsync(string requestId, string errorType, string message, CancellationToken cancellationToken = default) =>
        PostErrorAsync($"runtime/invocation/{requestId}/error", errorType, message, cancellationToken);

    public Task ReportInitErrorAsync(string errorType, string message, CancellationToken cancellationToken = default) =>
        PostErrorAsync("runtime/init/error", errorType, message, cancellationToken);

    private async Task PostErrorAsync(string path, string errorType, string message, CancellationToken cancellationToken)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["errorMessage"] = message, ["errorType"] = errorType });
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add("Lambda-Runtime-Function-Error-Type", errorType);
        using HttpResponseMessage answer = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        answer.EnsureSuccessStatusCode();
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;

    public void Dispose() => _http.Dispose();
}
