using System.Net;
using System.Net.Sockets;

namespace Wren.Backends.Local;

/// <summary>
/// A minimal HTTP/1.1 server on a free loopback port: it accepts connections and hands each request, in order on its
/// connection, to a handler that answers on that connection's <see cref="HttpExchange"/>. The local Runtime API is
/// one; the tests' and benchmarks' stand-ins for AWS services are others. A handler gets a token that ends with its
/// connection (or the server).
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<HttpExchange, HttpExchange.Request, CancellationToken, Task>? _handleAsync;
    private readonly Action<HttpExchange, HttpExchange.Request, CancellationToken>? _handle;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationToken _stopping;
    private readonly Task _accepting;
    private int _connections;

    /// <summary>Serves each connection asynchronously (the many short connections of a fake AWS service).</summary>
    /// <param name="handle">Answers one request; an <see cref="IOException"/> from it closes the connection without an answer.</param>
    /// <param name="backlog">Connections the kernel queues before they are accepted.</param>
    public LoopbackHttpServer(Func<HttpExchange, HttpExchange.Request, CancellationToken, Task> handle, int backlog = 512)
        : this(backlog)
    {
        _handleAsync = handle;
        _accepting = AcceptAsync();
    }

    /// <summary>
    /// Serves each connection on a thread of its own, blocked on its socket (the few long-lived connections of local
    /// workers): the kernel wakes that thread the moment the client writes, where an asynchronous read wakes the socket
    /// engine's thread and then a pool thread, and on a busy machine each wake-up waits for a core.
    /// </summary>
    public LoopbackHttpServer(Action<HttpExchange, HttpExchange.Request, CancellationToken> handle, int backlog = 512)
        : this(backlog)
    {
        _handle = handle;
        _accepting = AcceptAsync();
    }

    private LoopbackHttpServer(int backlog)
    {
        _stopping = _stop.Token;
        _listener.Start(backlog);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.CompletedTask;
    }

    public int Port { get; }

    /// <summary>host:port, the form AWS_LAMBDA_RUNTIME_API takes.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The base URL, the form AWS_ENDPOINT_URL_* takes.</summary>
    public string Url => $"http://{Address}";

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync(_stopping).ConfigureAwait(false);
                client.NoDelay = true;
                Interlocked.Increment(ref _connections);
                if (_handle is not null) new Thread(() => Serve(client)) { IsBackground = true, Name = "Wren loopback HTTP" }.Start();
                else _ = ServeAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        using (var connection = CancellationTokenSource.CreateLinkedTokenSource(_stopping))
        {
            try
            {
                var exchange = new HttpExchange(client.GetStream());
                while (await exchange.ReadAsync(_stopping).ConfigureAwait(false) is { } request)
                    await _handleAsync!(exchange, request, connection.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away, or the handler dropped the connection.
            }
            finally
            {
                await connection.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    private void Serve(TcpClient client)
    {
        using (client)
        using (var connection = CancellationTokenSource.CreateLinkedTokenSource(_stopping))
        {
            try
            {
                // A blocked read ends when the server stops: closing the socket wakes it.
                using CancellationTokenRegistration stopping = _stopping.Register(client.Dispose);
                var exchange = new HttpExchange(client.GetStream());
                while (exchange.Read() is { } request) _handle!(exchange, request, connection.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away, or the handler dropped the connection.
            }
            finally
            {
                // What waits on this connection (a worker's request for its next invocation) ends with it, so that a
                // client that reconnects is not raced by its own dead request.
                connection.Cancel();
            }
        }
    }

    /// <summary>Stops accepting and ends every connection's wait for its next request.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        _stop.Dispose();
    }
}
