using System.Net;
using System.Net.Sockets;

namespace Wren.Backends.Local;

/// <summary>
/// A minimal HTTP/1.1 server on a free loopback port: it accepts connections and hands each request, in order on its
/// connection, to a handler that answers on that connection's <see cref="HttpExchange"/>. The local Runtime API is
/// one; the tests' and benchmarks' stand-ins for AWS services are others.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<HttpExchange, HttpExchange.Request, CancellationToken, Task> _handle;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    /// <param name="handle">Answers one request; an <see cref="IOException"/> from it closes the connection without an answer.</param>
    /// <param name="backlog">Connections the kernel queues before they are accepted.</param>
    public LoopbackHttpServer(Func<HttpExchange, HttpExchange.Request, CancellationToken, Task> handle, int backlog = 512)
    {
        _handle = handle;
        _listener.Start(backlog);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
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
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                client.NoDelay = true;
                Interlocked.Increment(ref _connections);
                _ = ServeAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var exchange = new HttpExchange(client.GetStream());
                while (await exchange.ReadAsync(_stop.Token).ConfigureAwait(false) is { } request)
                    await _handle(exchange, request, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away, or the handler dropped the connection.
            }
        }
    }

    /// <summary>Stops accepting and ends every connection's wait for its next request.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        _stop.Dispose();
    }
}
