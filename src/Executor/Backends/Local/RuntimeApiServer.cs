using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;

namespace Wren.Backends.Local;

/// <summary>
/// The Lambda Runtime API, hosted on loopback for local workers: each worker's <c>next</c> takes the oldest queued
/// invocation, and its <c>response</c> or <c>error</c> completes it. A worker that dies loses what it held.
/// </summary>
/// <remarks>
/// A new invocation goes to the worker that asked last, not to the one that has waited longest: its caches are warm,
/// and it may still be spinning for its next invocation (<see cref="Protocol.SocketSpin"/>), where one that waited
/// longer sleeps and takes 20 µs or more to wake. A worker of the local backend sends its next request right behind its
/// answer; that request is taken before the answer completes its call, so that the worker is waiting again when the
/// caller makes its next call.
/// </remarks>
internal sealed class RuntimeApiServer : IAsyncDisposable
{
    private const string Prefix = "/2018-06-01/runtime/";

    // Invocations no worker has taken yet, oldest first, and workers waiting for one, the one that asked last at the end.
    // A waiting worker is handed an invocation by the thread that queues it, with no hop to another thread in between:
    // that thread only writes the invocation to the worker's socket.
    private readonly object _gate = new();
    private readonly Queue<LocalInvocation> _queued = new();
    private readonly List<Waiter> _waiters = [];
    private bool _closed;

    private readonly ConcurrentDictionary<string, LocalInvocation> _inFlight = new();
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

    public int Queued
    {
        get
        {
            lock (_gate) return _queued.Count;
        }
    }

    /// <summary>Workers waiting for an invocation now.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate) return _waiters.Count;
        }
    }

    /// <summary>The invocations workers hold now.</summary>
    public ICollection<LocalInvocation> InFlight => _inFlight.Values;

    /// <summary>How long the answer's reader waits for the worker's next request, which the worker sends right behind its answer.</summary>
    private static readonly TimeSpan NextRequestSpin = TimeSpan.FromMicroseconds(30);

    public void Enqueue(LocalInvocation invocation)
    {
        while (true)
        {
            Waiter waiter;
            lock (_gate)
            {
                if (_closed) break;
                if (_waiters.Count == 0)
                {
                    _queued.Enqueue(invocation);
                    return;
                }
                waiter = _waiters[^1];
                _waiters.RemoveAt(_waiters.Count - 1);
                waiter.Registration.Unregister();
            }
            switch (Hand(waiter, invocation))
            {
                case Handed.Written:
                    return;
                case Handed.AlreadyFinished:
                    // Cancelled meanwhile: the worker waits on for the next one.
                    Next(waiter.Exchange, waiter.WorkerId, waiter.Connection);
                    return;
                case Handed.WorkerGone:
                    // The next waiter takes it.
                    continue;
            }
        }
        invocation.Finish(new InvocationOutcome.Lost("the local backend has shut down"));
    }

    /// <summary>Fails whatever the worker held and stops handing it work.</summary>
    public void WorkerLost(string workerId, string reason)
    {
        _lost[workerId] = 0;
        lock (_gate)
        {
            foreach (Waiter waiter in _waiters.Where(w => w.WorkerId == workerId)) waiter.Registration.Unregister();
            _waiters.RemoveAll(w => w.WorkerId == workerId);
        }
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
            // Handed an invocation now, or when one comes; this thread goes back to reading either way: the worker sends
            // nothing more until it has its invocation.
            Next(exchange, workerId, connection);
        }
        else if (request.Method == "POST" && route.StartsWith("invocation/", StringComparison.Ordinal) && route.EndsWith("/response", StringComparison.Ordinal))
        {
            // Acknowledged first, so that the worker asks for its next invocation while the answer is taken.
            exchange.Write(202, [], []);
            string requestId = route["invocation/".Length..^"/response".Length];
            var outcome = new InvocationOutcome.Answered(request.Body);
            if (request.Body.Length <= AnswerTakenHereBytes)
            {
                try
                {
                    // The worker's next request, which it sends right behind its answer, goes first (see the remarks above).
                    if (request.Headers.ContainsKey(Protocol.WorkerLaunch.NextFollowsHeader) && exchange.ReadSoon(NextRequestSpin) is { } next) Handle(exchange, next, connection);
                }
                finally
                {
                    // The answer was acknowledged: it completes its call whatever became of the next request.
                    Complete(requestId, outcome);
                }
            }
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

    /// <summary>A worker's request for its next invocation, not answered yet.</summary>
    private sealed class Waiter(HttpExchange exchange, string workerId, CancellationToken connection)
    {
        public HttpExchange Exchange { get; } = exchange;
        public string WorkerId { get; } = workerId;
        public CancellationToken Connection { get; } = connection;
        public CancellationTokenRegistration Registration { get; set; }
    }

    /// <summary>Hands the worker the oldest queued invocation, or keeps it waiting for the next one.</summary>
    private void Next(HttpExchange exchange, string workerId, CancellationToken connection)
    {
        if (_seen.TryAdd(workerId, 0)) WorkerReady?.Invoke(workerId);
        var waiter = new Waiter(exchange, workerId, connection);
        while (true)
        {
            LocalInvocation? invocation = null;
            lock (_gate)
            {
                if (_closed || _lost.ContainsKey(workerId) || connection.IsCancellationRequested) return;
                while (invocation is null && _queued.TryDequeue(out LocalInvocation? queued))
                    if (!queued.Outcome.Task.IsCompleted) invocation = queued;
                if (invocation is null)
                {
                    // A connection that closes takes its waiter away (a worker that reconnects is not raced by its own
                    // dead request). Registered under the lock, so that no one takes the waiter before it is.
                    _waiters.Add(waiter);
                    waiter.Registration = connection.UnsafeRegister(static state =>
                    {
                        (RuntimeApiServer server, Waiter gone) = ((RuntimeApiServer, Waiter))state!;
                        server.Forget(gone);
                    }, (this, waiter));
                    return;
                }
            }
            switch (Hand(waiter, invocation))
            {
                case Handed.Written:
                    return;
                case Handed.AlreadyFinished:
                    // Cancelled meanwhile: the worker takes the next one, or waits for it.
                    continue;
                case Handed.WorkerGone:
                    // This worker was lost or its connection closed: the invocation goes to another.
                    Enqueue(invocation);
                    return;
            }
        }
    }

    private void Forget(Waiter waiter)
    {
        lock (_gate) _waiters.Remove(waiter);
    }

    private enum Handed
    {
        Written,

        /// <summary>The worker was lost or its connection closed: nothing was written.</summary>
        WorkerGone,

        /// <summary>The invocation was finished (cancelled) before it could be handed: nothing was written, and the worker still waits.</summary>
        AlreadyFinished,
    }

    /// <summary>Writes <paramref name="invocation"/> to the waiting worker, unless the worker is gone or the invocation already finished.</summary>
    private Handed Hand(Waiter waiter, LocalInvocation invocation)
    {
        if (invocation.Outcome.Task.IsCompleted) return Handed.AlreadyFinished;
        if (_lost.ContainsKey(waiter.WorkerId) || waiter.Connection.IsCancellationRequested) return Handed.WorkerGone;
        invocation.WorkerId = waiter.WorkerId;
        _inFlight[invocation.RequestId] = invocation;
        try
        {
            invocation.OnRunning();
        }
        catch (Exception e)
        {
            // What the caller asked to hear of (its progress) failed: the invocation fails with that, and is not sent.
            _inFlight.TryRemove(invocation.RequestId, out _);
            invocation.Finish(new InvocationOutcome.Failed(e is WrenException ? e : new WrenException($"Reporting the invocation as running failed: {e.GetType().Name}: {e.Message}", e)));
            return Handed.AlreadyFinished;
        }
        var headers = new Dictionary<string, string>
        {
            ["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId,
            ["Lambda-Runtime-Deadline-Ms"] = invocation.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            ["Content-Type"] = Protocol.WrenProtocol.IsBinary(invocation.Envelope) ? "application/octet-stream" : "application/json",
        };
        try
        {
            waiter.Exchange.Write(200, headers, invocation.Envelope);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The worker went away; what it held is failed when its process exit is noticed.
        }
        return Handed.Written;
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
        LocalInvocation[] queued;
        lock (_gate)
        {
            _closed = true;
            queued = [.. _queued];
            _queued.Clear();
            _waiters.Clear();
        }
        await _server.DisposeAsync().ConfigureAwait(false);
        foreach (LocalInvocation invocation in _inFlight.Values) invocation.Finish(new InvocationOutcome.Lost("the local backend shut down"));
        foreach (LocalInvocation invocation in queued) invocation.Finish(new InvocationOutcome.Lost("the local backend shut down"));
    }
}
