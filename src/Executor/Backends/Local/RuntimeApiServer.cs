using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
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
    // Each worker's connection is served on a thread of its own, blocked on its socket (see LoopbackHttpServer).
    private readonly LoopbackHttpServer _server;

    public RuntimeApiServer()
    {
        _server = new LoopbackHttpServer(Handle);
        Endpoint = _server.Address;
    }

    /// <summary>The value for AWS_LAMBDA_RUNTIME_API.</summary>
    public string Endpoint { get; }

    /// <summary>Raised the first time a worker asks for an invocation, with its id.</summary>
    public event Action<string>? WorkerReady;

    public int Queued => _queue.Reader.Count;

    /// <summary>The invocations workers hold now.</summary>
    public ICollection<LocalInvocation> InFlight => _inFlight.Values;

    public void Enqueue(LocalInvocation invocation)
    {
        if (!_queue.Writer.TryWrite(invocation)) invocation.Finish(new InvocationOutcome.Lost("the local backend has shut down"));
    }

    /// <summary>Fails whatever the worker held and stops handing it work.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "Cancelling only wakes the waiting request, which may still read the token; a source without timers holds nothing to release.")]
    public void WorkerLost(string workerId, string reason)
    {
        _lost[workerId] = 0;
        // The source stays its waiting request's to dispose: cancelling it here only wakes that request.
        if (_waiting.TryRemove(workerId, out CancellationTokenSource? waiting)) waiting.Cancel();
        foreach (LocalInvocation invocation in _inFlight.Values.Where(i => i.WorkerId == workerId).ToList())
            if (_inFlight.TryRemove(invocation.RequestId, out _)) invocation.Finish(new InvocationOutcome.Lost(reason));
    }

    /// <summary>Larger answers are taken on a pool thread, so that the worker's next request is read meanwhile; small ones (a single call's) here, without another wake-up.</summary>
    private const int AnswerTakenHereBytes = 16 * 1024;

    private void Handle(HttpExchange exchange, HttpExchange.Request request, CancellationToken connection)
    {
        string path = request.Path;
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            exchange.Write(404, [], []);
            return;
        }
        string route = path[Prefix.Length..];
        string workerId = request.Headers.GetValueOrDefault("Wren-Worker") ?? "unknown";
        if (request.Method == "GET" && route == "invocation/next")
        {
            // Waits off this thread, which goes back to reading: the worker sends nothing more until it has its invocation.
            _ = NextAsync(exchange, workerId, connection);
        }
        else if (request.Method == "POST" && route.StartsWith("invocation/", StringComparison.Ordinal) && route.EndsWith("/response", StringComparison.Ordinal))
        {
            // Acknowledged first, so that the worker asks for its next invocation while the answer is taken.
            exchange.Write(202, [], []);
            string requestId = route["invocation/".Length..^"/response".Length];
            var outcome = new InvocationOutcome.Answered(request.Body);
            if (request.Body.Length <= AnswerTakenHereBytes) Complete(requestId, outcome);
            else ThreadPool.UnsafeQueueUserWorkItem(state => Complete(state.requestId, state.outcome), (requestId, outcome), preferLocal: false);
        }
        else if (request.Method == "POST" && route.StartsWith("invocation/", StringComparison.Ordinal) && route.EndsWith("/error", StringComparison.Ordinal))
        {
            (string type, string message) = ReadError(request);
            exchange.Write(202, [], []);
            Complete(route["invocation/".Length..^"/error".Length], new InvocationOutcome.Rejected(type, message));
        }
        else if (request.Method == "POST" && route == "init/error")
        {
            (string type, string message) = ReadError(request);
            WorkerLost(workerId, $"worker {workerId} failed to start: {type}: {message}");
            exchange.Write(202, [], []);
        }
        else
        {
            exchange.Write(404, [], []);
        }
    }

    private async Task NextAsync(HttpExchange exchange, string workerId, CancellationToken connection)
    {
        try
        {
            if (_seen.TryAdd(workerId, 0)) WorkerReady?.Invoke(workerId);
            CancellationTokenSource waiting = _waiting.GetOrAdd(workerId, _ => new CancellationTokenSource());
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(waiting.Token, connection);
            while (true)
            {
                LocalInvocation invocation = await _queue.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
                if (invocation.Outcome.Task.IsCompleted) continue;
                if (_lost.ContainsKey(workerId) || connection.IsCancellationRequested)
                {
                    Enqueue(invocation);
                    return;
                }
                invocation.WorkerId = workerId;
                _inFlight[invocation.RequestId] = invocation;
                invocation.OnRunning();
                var headers = new Dictionary<string, string>
                {
                    ["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId,
                    ["Lambda-Runtime-Deadline-Ms"] = invocation.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                    ["Content-Type"] = Protocol.WrenProtocol.IsBinary(invocation.Envelope) ? "application/octet-stream" : "application/json",
                };
                // On the thread that queued the invocation, when the worker was already waiting.
                exchange.Write(200, headers, invocation.Envelope);
                return;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or ChannelClosedException)
        {
            // The worker or the server went away; what the worker held is failed when its process exit is noticed.
        }
    }

    /// <summary>Completes the invocation on this thread (see <see cref="LocalInvocation.FinishHere"/>).</summary>
    private void Complete(string requestId, InvocationOutcome outcome)
    {
        if (_inFlight.TryRemove(requestId, out LocalInvocation? invocation)) invocation.FinishHere(outcome);
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
        _queue.Writer.TryComplete();
        await _server.DisposeAsync().ConfigureAwait(false);
        foreach (LocalInvocation invocation in _inFlight.Values) invocation.Finish(new InvocationOutcome.Lost("the local backend shut down"));
        while (_queue.Reader.TryRead(out LocalInvocation? queued)) queued.Finish(new InvocationOutcome.Lost("the local backend shut down"));
    }
}
