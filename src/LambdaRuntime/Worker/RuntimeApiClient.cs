using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Wren.Protocol;

namespace Wren.Worker;

/// <summary>
/// The Lambda Runtime API over HTTP (version 2018-06-01) at <c>AWS_LAMBDA_RUNTIME_API</c>: the same calls against
/// Lambda and against the local backend, which hosts this API itself.
/// </summary>
/// <remarks>
/// Plain HTTP/1.1 on one kept-alive connection, written here rather than through <c>HttpClient</c>: the API is four
/// requests on loopback, and <c>HttpClient</c> costs a worker about 40 ms of start (loading and jitting its stack) and
/// several thread hops per invocation. Responses may come with a <c>Content-Length</c>, chunked, or up to the close.
/// Against the local backend's own Runtime API (<paramref name="local"/>), an answer is not waited for: its
/// acknowledgement is read after the next request has gone (see <see cref="WorkerLaunch.LocalRuntimeVariable"/>).
/// </remarks>
internal sealed class RuntimeApiClient(string endpoint, string workerId, bool local = false) : IRuntimeApi, IDisposable
{
    private const string Prefix = "/2018-06-01/";

    /// <summary>
    /// How long a local worker spins for a response before it blocks: its next invocation, in a loop of single calls,
    /// comes tens of microseconds after its answer, and a worker that blocked is woken 20 µs or more later (<see cref="SocketSpin"/>).
    /// </summary>
    private static readonly TimeSpan LocalSpin = TimeSpan.FromMicroseconds(250);

    private readonly SemaphoreSlim _one = new(1, 1);
    private Connection? _connection;

    /// <summary>Answers sent whose acknowledgement has not been read yet (local only).</summary>
    private int _unacknowledged;

    /// <summary>
    /// An answer held to go with the next request in one write (local only): the server then reads both at once,
    /// whether or not this thread keeps its core after the answer (a thread the server wakes on this core would
    /// otherwise delay the next request by 20 µs or more).
    /// </summary>
    private (byte[] Head, ReadOnlyMemory<byte> Body)? _held;

    public Task<RuntimeInvocation> NextAsync(CancellationToken cancellationToken = default)
    {
        Response response = Send("GET", "runtime/invocation/next", [], ReadOnlyMemory<byte>.Empty, cancellationToken)!;
        response.EnsureSuccess("next");
        string requestId = response.Header("Lambda-Runtime-Aws-Request-Id")
            ?? throw new WrenException("The Runtime API answered without a Lambda-Runtime-Aws-Request-Id header.");
        DateTimeOffset? deadline = long.TryParse(response.Header("Lambda-Runtime-Deadline-Ms"), CultureInfo.InvariantCulture, out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        return Task.FromResult(new RuntimeInvocation(requestId, deadline, response.Body));
    }

    public Task RespondAsync(string requestId, ReadOnlyMemory<byte> response, bool nextFollows, CancellationToken cancellationToken = default)
    {
        string type = WrenProtocol.IsBinary(response.Span) ? "application/octet-stream" : "application/json";
        if (local && nextFollows)
        {
            // The next request follows at once; this one's acknowledgement is read before that one's response.
            Send("POST", $"runtime/invocation/{requestId}/response", [("Content-Type", type), (WorkerLaunch.NextFollowsHeader, "1")], response, cancellationToken, acknowledgeLater: true);
            return Task.CompletedTask;
        }
        Send("POST", $"runtime/invocation/{requestId}/response", [("Content-Type", type)], response, cancellationToken)!.EnsureSuccess("response");
        return Task.CompletedTask;
    }

    public Task ReportErrorAsync(string requestId, string errorType, string message, CancellationToken cancellationToken = default) =>
        PostErrorAsync($"runtime/invocation/{requestId}/error", errorType, message, cancellationToken);

    public Task ReportInitErrorAsync(string errorType, string message, CancellationToken cancellationToken = default) =>
        PostErrorAsync("runtime/init/error", errorType, message, cancellationToken);

    private Task PostErrorAsync(string path, string errorType, string message, CancellationToken cancellationToken)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["errorMessage"] = message, ["errorType"] = errorType });
        Send("POST", path, [("Content-Type", "application/json"), ("Lambda-Runtime-Function-Error-Type", errorType)], body, cancellationToken)!.EnsureSuccess("error");
        return Task.CompletedTask;
    }

    /// <summary>
    /// One request and its response, one at a time. A kept-alive connection the server has closed in the meantime fails
    /// before any of the response arrives; the request then goes again on a new connection, once.
    /// </summary>
    /// <remarks>
    /// Blocking, on the caller's thread: the worker's loop is the only caller, and a thread blocked on its socket is woken
    /// by the kernel the moment the answer arrives, where an asynchronous read goes through the socket engine's thread and
    /// then a pool thread (two wake-ups, each waiting for a core on a busy machine). The calls then run on the same thread.
    /// A cancellation closes the connection, which ends a blocked read. With <paramref name="acknowledgeLater"/> the
    /// response is not read here but before the next request's (and null is returned); a failure then is that request's.
    /// </remarks>
    private Response? Send(string method, string path, (string Name, string Value)[] headers, ReadOnlyMemory<byte> body, CancellationToken cancellationToken, bool acknowledgeLater = false)
    {
        _one.Wait(cancellationToken);
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                bool reused = _connection is not null;
                Connection connection = _connection ??= Connection.Open(endpoint);
                try
                {
                    using CancellationTokenRegistration abort = cancellationToken.CanBeCanceled ? cancellationToken.Register(connection.Dispose) : default;
                    cancellationToken.ThrowIfCancellationRequested();
                    byte[] head = Head(method, path, headers, body.Length);
                    if (acknowledgeLater)
                    {
                        _held = (head, body);
                        _unacknowledged++;
                        return null;
                    }
                    if (_held is { } held)
                    {
                        _held = null;
                        connection.Write(held.Head, held.Body, head, body);
                    }
                    else connection.Write(head, body);
                    for (; _unacknowledged > 0; _unacknowledged--)
                    {
                        Response acknowledgement = connection.ReadResponse(local ? LocalSpin : TimeSpan.Zero);
                        if (acknowledgement.Closes) throw new IOException("The Runtime API closed the connection after acknowledging an answer, with the next request sent.");
                        if (acknowledgement.Status is < 200 or > 299)
                        {
                            // This request's response is still to come: the connection is out of step, and goes.
                            Drop();
                            acknowledgement.EnsureSuccess("response");
                        }
                    }
                    Response response = connection.ReadResponse(local ? LocalSpin : TimeSpan.Zero);
                    if (response.Closes) Drop();
                    return response;
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
                {
                    // A response cut off halfway leaves the connection unusable.
                    Drop();
                    throw new OperationCanceledException("The Runtime API request was cancelled.", e, cancellationToken);
                }
                catch (Exception e) when (e is IOException or SocketException)
                {
                    // An answer whose acknowledgement never came may or may not have been taken: not sent again.
                    bool unacknowledged = _unacknowledged > 0;
                    Drop();
                    if (!reused || attempt > 1 || connection.Received > 0 || unacknowledged) throw;
                }
                catch (OperationCanceledException)
                {
                    Drop();
                    throw;
                }
            }
        }
        finally
        {
            _one.Release();
        }
    }

    private byte[] Head(string method, string path, (string Name, string Value)[] headers, int length)
    {
        var head = new StringBuilder(256);
        head.Append(method).Append(' ').Append(Prefix).Append(path).Append(" HTTP/1.1\r\nHost: ").Append(endpoint)
            .Append("\r\nWren-Worker: ").Append(workerId).Append("\r\nContent-Length: ").Append(length).Append("\r\n");
        foreach ((string name, string value) in headers) head.Append(name).Append(": ").Append(value).Append("\r\n");
        return Encoding.ASCII.GetBytes(head.Append("\r\n").ToString());
    }

    private void Drop()
    {
        _held = null;
        _unacknowledged = 0;
        _connection?.Dispose();
        _connection = null;
    }

    public void Dispose()
    {
        // An answer still held goes out before the connection closes.
        if (_held is { } held && _connection is { } connection)
        {
            try
            {
                connection.Write(held.Head, held.Body);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // The server is gone; so is whoever waited for the answer.
            }
        }
        Drop();
        _one.Dispose();
    }

    /// <summary>A response: its status, headers and whole body, and whether the server closes the connection after it.</summary>
    private sealed record Response(int Status, Dictionary<string, string> Headers, byte[] Body)
    {
        public bool Closes => Header("Connection") is { } connection && connection.Equals("close", StringComparison.OrdinalIgnoreCase);

        public string? Header(string name) => Headers.GetValueOrDefault(name);

        public void EnsureSuccess(string what)
        {
            if (Status is < 200 or > 299)
                throw new WrenException($"The Runtime API answered the {what} request with HTTP {Status}: {Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 500)))}");
        }
    }

    /// <summary>One TCP connection to the API, with a buffer for what has arrived and not been read yet. Blocking I/O (see <see cref="Send"/>).</summary>
    private sealed class Connection(Socket socket) : IDisposable
    {
        private byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        /// <summary>Bytes of the current response received so far.</summary>
        public long Received { get; private set; }

        [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The socket is the connection's (its stream owns it), or disposed here when connecting fails.")]
        public static Connection Open(string endpoint)
        {
            int colon = endpoint.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
                throw new WrenException($"AWS_LAMBDA_RUNTIME_API is '{endpoint}'; it must be host:port.");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.NoDelay = true;
                socket.Connect(endpoint[..colon], port);
                return new Connection(socket);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        public void Write(byte[] head, ReadOnlyMemory<byte> body)
        {
            Received = 0;
            GatheringSend.Send(socket, head, body);
        }

        /// <summary>Writes two requests, heads and bodies, in one gathering write.</summary>
        public void Write(byte[] firstHead, ReadOnlyMemory<byte> firstBody, byte[] head, ReadOnlyMemory<byte> body)
        {
            Received = 0;
            GatheringSend.Send(socket, [firstHead, firstBody, head, body]);
        }

        /// <summary>Reads the next response, spinning up to <paramref name="spin"/> for its first bytes before it blocks.</summary>
        public Response ReadResponse(TimeSpan spin)
        {
            if (_start == _end) SocketSpin.UntilReadable(socket, spin);
            string statusLine = ReadLine();
            string[] parts = statusLine.Split(' ', 3);
            if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int status))
                throw new IOException($"The Runtime API sent a malformed status line '{statusLine}'.");
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (string line; (line = ReadLine()).Length > 0;)
            {
                int colon = line.IndexOf(':');
                if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
            byte[] body;
            if (headers.TryGetValue("Transfer-Encoding", out string? encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                body = ReadChunked();
            else if (headers.TryGetValue("Content-Length", out string? text))
                body = ReadExactly(int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture));
            else if (status is 204 or 304 || status < 200)
                body = [];
            else
            {
                // Neither a length nor chunks: the body runs to the close of the connection.
                body = ReadToEnd();
                headers["Connection"] = "close";
            }
            return new Response(status, headers, body);
        }

        private byte[] ReadChunked()
        {
            using var body = new MemoryStream();
            while (true)
            {
                string sizeLine = ReadLine();
                int extension = sizeLine.IndexOf(';');
                if (!int.TryParse(extension < 0 ? sizeLine : sizeLine[..extension], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int size))
                    throw new IOException($"The Runtime API sent a malformed chunk size '{sizeLine}'.");
                if (size == 0)
                {
                    // Trailers, if any, end with an empty line.
                    while (ReadLine().Length > 0) { }
                    return body.ToArray();
                }
                body.Write(ReadExactly(size));
                if (ReadLine().Length > 0) throw new IOException("The Runtime API sent a chunk longer than its size.");
            }
        }

        private byte[] ReadExactly(int length)
        {
            byte[] bytes = GC.AllocateUninitializedArray<byte>(length);
            int buffered = Math.Min(length, _end - _start);
            _buffer.AsSpan(_start, buffered).CopyTo(bytes);
            _start += buffered;
            for (int at = buffered; at < length;)
            {
                int read = socket.Receive(bytes.AsSpan(at));
                if (read == 0) throw new IOException("The Runtime API closed the connection in the middle of a body.");
                at += read;
                Received += read;
            }
            return bytes;
        }

        private byte[] ReadToEnd()
        {
            using var body = new MemoryStream();
            body.Write(_buffer.AsSpan(_start, _end - _start));
            _start = _end = 0;
            Span<byte> block = stackalloc byte[16 * 1024];
            for (int read; (read = socket.Receive(block)) > 0;) body.Write(block[..read]);
            return body.ToArray();
        }

        /// <summary>The next line, without its CRLF (ASCII: a status line, a header, a chunk size).</summary>
        private string ReadLine()
        {
            while (true)
            {
                int end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
                if (end >= 0)
                {
                    string line = Encoding.ASCII.GetString(_buffer, _start, end);
                    _start += end + 2;
                    return line;
                }
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }
                if (_end == _buffer.Length)
                {
                    if (_buffer.Length >= 1024 * 1024) throw new IOException("The Runtime API sent a header line over 1 MB.");
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }
                int read = socket.Receive(_buffer.AsSpan(_end));
                if (read == 0) throw new IOException("The Runtime API closed the connection.");
                _end += read;
                Received += read;
            }
        }

        public void Dispose() => socket.Dispose();
    }
}
