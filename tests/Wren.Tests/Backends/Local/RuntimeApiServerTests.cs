using System.Net.Sockets;
using System.Text;
using Wren.Backends;
using Wren.Backends.Local;
using Wren.Protocol;

namespace Wren.Tests.Backends.Local;

/// <summary>
/// The local Runtime API's hand-out: a new invocation goes to the worker that asked last, and a worker that sends its
/// next request right behind its answer is waiting again before the answer completes its call. Two stand-in workers
/// here speak the API byte by byte.
/// </summary>
public sealed class RuntimeApiServerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static LocalInvocation Invocation(string body) => new(Encoding.UTF8.GetBytes(body), DateTimeOffset.UtcNow + Patience, Patience, () => { });

    /// <summary>A stand-in worker on its own connection.</summary>
    private sealed class StandIn : IDisposable
    {
        private readonly Socket _socket = new(SocketType.Stream, ProtocolType.Tcp);
        private readonly string _name;
        private readonly List<byte> _pending = [];

        public StandIn(RuntimeApiServer server, string name)
        {
            _name = name;
            string[] endpoint = server.Endpoint.Split(':');
            _socket.Connect(endpoint[0], int.Parse(endpoint[1]));
            _socket.ReceiveTimeout = 10_000;
        }

        public static string Next(string worker) => $"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nWren-Worker: {worker}\r\nContent-Length: 0\r\n\r\n";

        public static string Answer(string worker, string requestId, string body, bool nextFollows) =>
            $"POST /2018-06-01/runtime/invocation/{requestId}/response HTTP/1.1\r\nWren-Worker: {worker}\r\nContent-Length: {body.Length}\r\n"
            + (nextFollows ? $"{WorkerLaunch.NextFollowsHeader}: 1\r\n" : "") + "\r\n" + body;

        /// <summary>Sends <paramref name="text"/> in one write.</summary>
        public void Send(string text) => _socket.Send(Encoding.ASCII.GetBytes(text));

        public void AskForNext() => Send(Next(_name));

        /// <summary>Reads one response: its status, its request id header (if any) and its body.</summary>
        public (int Status, string? RequestId, string Body) Read()
        {
            int headEnd;
            while ((headEnd = IndexOfHeadEnd()) < 0) Receive();
            string head = Encoding.ASCII.GetString([.. _pending.Take(headEnd)]);
            string[] lines = head.Split("\r\n");
            string? Header(string name) => lines.Skip(1).Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)).Select(l => l[(name.Length + 1)..].Trim()).FirstOrDefault();
            int length = int.Parse(Header("Content-Length") ?? "0");
            while (_pending.Count < headEnd + 4 + length) Receive();
            string body = Encoding.UTF8.GetString([.. _pending.Skip(headEnd + 4).Take(length)]);
            _pending.RemoveRange(0, headEnd + 4 + length);
            return (int.Parse(lines[0].Split(' ')[1]), Header("Lambda-Runtime-Aws-Request-Id"), body);
        }

        /// <summary>Whether anything has come that has not been read.</summary>
        public bool HasMore => _pending.Count > 0 || _socket.Available > 0;

        private void Receive()
        {
            byte[] buffer = new byte[4096];
            int read = _socket.Receive(buffer);
            if (read == 0) throw new IOException("The server closed the connection.");
            _pending.AddRange(buffer.Take(read));
        }

        private int IndexOfHeadEnd()
        {
            for (int i = 0; i + 3 < _pending.Count; i++)
                if (_pending[i] == '\r' && _pending[i + 1] == '\n' && _pending[i + 2] == '\r' && _pending[i + 3] == '\n') return i;
            return -1;
        }

        public void Dispose() => _socket.Dispose();
    }

    private static async Task WaitingAsync(RuntimeApiServer server, int count)
    {
        for (int i = 0; server.Waiting != count; i++)
        {
            if (i > 3000) throw new TimeoutException($"{server.Waiting} workers wait, not {count}.");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task NewInvocation_GoesToTheWorkerThatAskedLast()
    {
        await using var server = new RuntimeApiServer();
        using var first = new StandIn(server, "first");
        using var last = new StandIn(server, "last");
        first.AskForNext();
        await WaitingAsync(server, 1);
        last.AskForNext();
        await WaitingAsync(server, 2);

        LocalInvocation invocation = Invocation("one");
        server.Enqueue(invocation);

        (int status, string? requestId, string body) = last.Read();
        Assert.Equal((200, invocation.RequestId, "one"), (status, requestId, body));
        Assert.Equal("last", invocation.WorkerId);
        Assert.Equal(1, server.Waiting);
        Assert.False(first.HasMore);
    }

    [Fact]
    public async Task WorkerWhoseNextRequestFollowsItsAnswer_IsWaitingAgainWhenTheAnswerCompletesItsCall()
    {
        await using var server = new RuntimeApiServer();
        using var other = new StandIn(server, "other");
        using var answering = new StandIn(server, "answering");
        answering.AskForNext();
        await WaitingAsync(server, 1);
        LocalInvocation one = Invocation("one");
        server.Enqueue(one);
        Assert.Equal(one.RequestId, answering.Read().RequestId);
        other.AskForNext();
        await WaitingAsync(server, 1);

        // As a caller does on the thread that completes its call: the next call at once.
        LocalInvocation two = Invocation("two");
        var workersWaitingThen = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = one.Answer.ContinueWith(_ =>
        {
            workersWaitingThen.SetResult(server.Waiting);
            server.Enqueue(two);
        }, TaskContinuationOptions.ExecuteSynchronously);
        answering.Send(StandIn.Answer("answering", one.RequestId, "done", nextFollows: true) + StandIn.Next("answering"));

        Assert.Equal(2, await workersWaitingThen.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal((202, null, ""), answering.Read());
        Assert.Equal((200, two.RequestId, "two"), answering.Read());
        Assert.Equal("done", Encoding.UTF8.GetString(Assert.IsType<InvocationOutcome.Answered>(await one.Answer).Envelope));
        Assert.False(other.HasMore);
    }

    [Fact]
    public async Task AnswerWithoutTheHeader_CompletesItsCallBeforeTheNextRequestIsRead()
    {
        await using var server = new RuntimeApiServer();
        using var answering = new StandIn(server, "answering");
        answering.AskForNext();
        await WaitingAsync(server, 1);
        LocalInvocation one = Invocation("one");
        server.Enqueue(one);
        answering.Read();
        var workersWaitingThen = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = one.Answer.ContinueWith(_ => workersWaitingThen.SetResult(server.Waiting), TaskContinuationOptions.ExecuteSynchronously);

        answering.Send(StandIn.Answer("answering", one.RequestId, "done", nextFollows: false) + StandIn.Next("answering"));

        Assert.Equal(0, await workersWaitingThen.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        await WaitingAsync(server, 1);
    }

    [Fact]
    public async Task FinishedInvocation_DoesNotSwallowTheWaitingWorker()
    {
        await using var server = new RuntimeApiServer();
        using var worker = new StandIn(server, "w");
        worker.AskForNext();
        await WaitingAsync(server, 1);
        LocalInvocation cancelled = Invocation("cancelled");
        cancelled.Finish(new InvocationOutcome.Lost("cancelled"));

        server.Enqueue(cancelled);

        Assert.Equal(1, server.Waiting);
        LocalInvocation next = Invocation("next");
        server.Enqueue(next);
        Assert.Equal((200, next.RequestId, "next"), worker.Read());
    }

    /// <summary>A queued invocation cancelled while a worker takes it, many times over: the worker is always answered or still waiting.</summary>
    [Fact]
    public async Task InvocationCancelledAsAWorkerTakesIt_LeavesTheWorkerServed()
    {
        await using var server = new RuntimeApiServer();
        using var worker = new StandIn(server, "w");
        for (int i = 0; i < 3_000; i++)
        {
            LocalInvocation queued = Invocation("queued");
            server.Enqueue(queued);
            worker.AskForNext();
            while (server.Queued != 0) Thread.Yield();
            queued.Finish(new InvocationOutcome.Lost("cancelled"));
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!worker.HasMore && server.Waiting == 0)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(5), $"round {i}: the worker's request was neither answered nor waiting");
                Thread.Yield();
            }
            if (worker.HasMore)
            {
                Assert.Equal(queued.RequestId, worker.Read().RequestId);
                continue;
            }
            LocalInvocation fresh = Invocation("fresh");
            server.Enqueue(fresh);
            Assert.Equal(fresh.RequestId, worker.Read().RequestId);
        }
    }

    [Fact]
    public async Task InvocationWhoseRunningReportThrows_FailsWithIt_AndTheWorkerWaitsOn()
    {
        await using var server = new RuntimeApiServer();
        using var worker = new StandIn(server, "w");
        worker.AskForNext();
        await WaitingAsync(server, 1);
        var throwing = new LocalInvocation(Encoding.UTF8.GetBytes("x"), DateTimeOffset.UtcNow + Patience, Patience, () => throw new InvalidOperationException("progress broke"));

        server.Enqueue(throwing);

        var failed = Assert.IsType<InvocationOutcome.Failed>(await throwing.Answer.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("Reporting the invocation as running failed: InvalidOperationException: progress broke", failed.Error.Message);
        Assert.Equal(1, server.Waiting);
        Assert.False(worker.HasMore);
    }
}
