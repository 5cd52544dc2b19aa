using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;

namespace Wren.Backends.Local;

/// <summary>
/// The Lambda Runtime API, hosted on loopback for local workers: each worker's <c>next</c> takes the oldest queued
/// invocation, and its <c>response</c> or <c>error</c> completes it. A worker that dies loses what it held.
/// </summary>
internal sealed class RuntimeApiServer : IAsyncDisposable
{
    private const string Prefix = "/2018-06-01/runtime/";

    // A worker waiting for its next invocation is handed one by the thread that queues it, with no hop to another thread
    // in between: the continuation only writes the invocation to the worker's socket.
    private readonly Channel<LocalInvocation> _queue = Channel.CreateUnbounded<LocalInvocation>(new UnboundedChannelOptions { AllowSynchronousContinuations = true });
    private readonly ConcurrentDictionary<string, LocalInvocation> _inFlight = new();
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _waiting = new();
    private readonly ConcurrentDictionary<string, byte> _lost = new();
    private readonly ConcurrentDictionary<string, byte> _seen = new();
    private readonly LoopbackHttpServer _server;

    public RuntimeApiServer()
    {
        // A broken connection fails nothing here: what its worker held is failed when its process exit is noticed.
        _server = new LoopbackHttpServer(HandleAsync);
        Endpoint = _server.Address;
    }

    /// <summary>The value for AWS_LAMBDA_RUNTIME_API.</summary>
    public string Endpoint { get; }

    /// <summary>Raised the first time a worker asks for an invocation, with its id.</summary>
    public event Action<string>? WorkerReady;

    public int Queued => _queue.Reader.Count;

    public void Enqueue(LocalInvocation invocation)
    {
        if (!_queue.Writer.TryWrite(invocation)) invocation.Finish(new InvocationOutcome.Lost("the local backend has shut down"));
    }

    /// <summary>Fails whatever the worker held and stops handing it work.</summary>
    public void WorkerLost(string workerId, string reason)
    {
        _lost[workerId] = 0;
        if (_waiting.TryRemove(workerId, out CancellationTokenSource? waiting)) waiting.Cancel();
        foreach (LocalInvocation invocation in _inFlight.Values.Where(i => i.WorkerId == workerId).ToList())
            if (_inFlight.TryRemove(invocation.RequestId, out _)) invocation.Finish(new InvocationOutcome.Lost(reason));
    }

    private async Task HandleAsync(HttpExchange exchange, HttpExchange.Request request, CancellationToken stopping)
    {
        string path = request.Path;
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            await exchange.WriteAsync(404, [], [], stopping).ConfigureAwait(false);
            return;
        }
        string route = path[Prefix.Length..];
        string workerId = request.Headers.GetValueOrDefault("Wren-Worker") ?? "unknown";
        if (request.Method == "GET" && route == "invocation/next")
        {
            await NextAsync(exchange, workerId, stopping).ConfigureAwait(false);
        }
        else if (request.Method == "POST" && route.StartsWith("invocation/", StringComparison.Ordinal) && route.EndsWith("/response", StringComparison.Ordinal))
        {
            Complete(route["invocation/".Length..^"/response".Length], new InvocationOutcome.Answered(request.Body));
            await exchange.WriteAsync(202, [], [], stopping).ConfigureAwait(false);
        }
        else if (request.Method == "POST" && route.StartsWith("invocation/", StringComparison.Ordinal) && route.EndsWith("/error", StringComparison.Ordinal))
        {
            (string type, string message) = ReadError(request);
            Complete(route["invocation/".Length..^"/error".Length], new InvocationOutcome.Rejected(type, message));
            await exchange.WriteAsync(202, [], [], stopping).ConfigureAwait(false);
        }
        else if (request.Method == "POST" && route == "init/error")
        {
            (string type, string message) = ReadError(request);
            WorkerLost(workerId, $"worker {workerId} failed to start: {type}: {message}");
            await exchange.WriteAsync(202, [], [], stopping).ConfigureAwait(false);
        }
        else
        {
            await exchange.WriteAsync(404, [], [], stopping).ConfigureAwait(false);
        }
    }

    private async Task NextAsync(HttpExchange exchange, string workerId, CancellationToken stopping)
    {
        if (_seen.TryAdd(workerId, 0)) WorkerReady?.Invoke(workerId);
        CancellationTokenSource waiting = _waiting.GetOrAdd(workerId, _ => new CancellationTokenSource());
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(waiting.Token, stopping);
        while (true)
        {
            LocalInvocation invocation = await _queue.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
            if (invocation.Outcome.Task.IsCompleted) continue;
            if (_lost.ContainsKey(workerId))
            {
                Enqueue(invocation);
                throw new OperationCanceledException();
            }
            invocation.WorkerId = workerId;
            _inFlight[invocation.RequestId] = invocation;
            invocation.OnRunning();
            var headers = new Dictionary<string, string>
            {
                ["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId,
                ["Lambda-Runtime-Deadline-Ms"] = invocation.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                ["Content-Type"] = "application/json",
            };
            await exchange.WriteAsync(200, headers, invocation.Envelope, stopping).ConfigureAwait(false);
            return;
        }
    }

    private void Complete(string requestId, InvocationOutcome outcome)
    {
        if (_inFlight.TryRemove(requestId, out LocalInvocation? invocation)) invocation.Finish(outcome);
    }

    private static (string Type, string Message) ReadError(HttpExchange.Request request)
    {
        string type = request.Headers.GetValueOrDefault("Lambda-Runtime-Function-Error-Type") ?? "Unknown";
        string message = "";
        try
        {
            using JsonDocument document = JsonDocument.Parse(request.Body);
            if (document.RootElement.TryGetProperty("errorType", out JsonElement errorType)) type = errorType.GetString() ?? type;
            if (document.RootElement.TryGetProperty("errorMessage", out JsonElement errorMessage)) message = errorMessage.GetString() ?? "";
        }
        catch (JsonException)
        {
            message = System.Text.Encoding.UTF8.GetString(request.Body);
        }
        return (type, message);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        _queue.Writer.TryComplete();
        foreach (LocalInvocation invocation in _inFlight.Values) invocation.Finish(new InvocationOutcome.Lost("the local backend shut down"));
        while (_queue.Reader.TryRead(out LocalInvocation? queued)) queued.Finish(new InvocationOutcome.Lost("the local backend shut down"));
    }
}
