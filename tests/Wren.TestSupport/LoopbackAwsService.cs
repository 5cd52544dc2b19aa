using System.Text.Json;
using Wren.Backends.Local;

namespace Wren.TestSupport;

/// <summary>
/// A stand-in for one AWS service on loopback, for the parts moto cannot do without Docker (running code): it answers
/// the requests it handles and passes every other one on to moto, or answers 404 when it has no moto behind it.
/// </summary>
internal abstract class LoopbackAwsService : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly HttpClient _proxy = new();
    private readonly string? _moto;

    protected LoopbackAwsService(string? motoEndpoint)
    {
        _moto = motoEndpoint?.TrimEnd('/');
        _server = new LoopbackHttpServer(ServeAsync);
        Endpoint = _server.Url;
    }

    /// <summary>The base URL, for <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>.</summary>
    public string Endpoint { get; }

    /// <summary>TCP connections accepted so far.</summary>
    public int Connections => _server.Connections;

    protected CancellationTokenSource Stopping { get; } = new();

    /// <summary>Thrown by <see cref="HandleAsync"/> to close the connection without an answer, as a network fault would.</summary>
    protected sealed class DropConnection : IOException;

    /// <summary>The answer to a request this service handles itself, or null to pass it on to moto.</summary>
    protected abstract Task<(int Status, Dictionary<string, string> Headers, byte[] Body)?> HandleAsync(HttpExchange.Request request);

    private async Task ServeAsync(HttpExchange exchange, HttpExchange.Request request, CancellationToken stopping)
    {
        (int status, Dictionary<string, string> headers, byte[] body) = await AnswerAsync(request).ConfigureAwait(false);
        await exchange.WriteAsync(status, headers, body, stopping).ConfigureAwait(false);
    }

    private async Task<(int, Dictionary<string, string>, byte[])> AnswerAsync(HttpExchange.Request request)
    {
        try
        {
            return await HandleAsync(request).ConfigureAwait(false) ?? await ForwardAsync(request).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or DropConnection))
        {
            // A fault of the stand-in itself is a service error, so the client neither hangs nor retries forever.
            return (500, new() { ["x-amzn-ErrorType"] = "ServiceException" }, Json(new Dictionary<string, string> { ["message"] = $"test service failed: {e}" }));
        }
    }

    protected static byte[] Json(object value) => JsonSerializer.SerializeToUtf8Bytes(value, value.GetType());

    /// <summary>AWS's JSON error: the type in x-amzn-ErrorType, the message in the body.</summary>
    protected static (int, Dictionary<string, string>, byte[]) Error(int status, string type, string message) =>
        (status, new() { ["x-amzn-ErrorType"] = type, ["Content-Type"] = "application/json", ["x-amzn-RequestId"] = Guid.NewGuid().ToString() },
            Json(new Dictionary<string, string> { ["Type"] = "User", ["message"] = message }));

    private async Task<(int, Dictionary<string, string>, byte[])> ForwardAsync(HttpExchange.Request request)
    {
        if (_moto is null) return Error(404, "ResourceNotFoundException", $"{request.Method} {request.Path} is not served by this stand-in");
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), _moto + request.Path);
        if (request.Body.Length > 0 || request.Method is "POST" or "PUT")
        {
            forward.Content = new ByteArrayContent(request.Body);
            if (request.Headers.TryGetValue("Content-Type", out string? type)) forward.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        foreach ((string name, string value) in request.Headers)
            if (name is not ("Host" or "Content-Length" or "Content-Type")) forward.Headers.TryAddWithoutValidation(name, value);
        using HttpResponseMessage response = await _proxy.SendAsync(forward).ConfigureAwait(false);
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key is not ("Content-Length" or "Transfer-Encoding" or "Connection"))
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value));
        return ((int)response.StatusCode, headers, await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false));
    }

    public virtual async ValueTask DisposeAsync()
    {
        Stopping.Cancel();
        await _server.DisposeAsync().ConfigureAwait(false);
        _proxy.Dispose();
    }
}
