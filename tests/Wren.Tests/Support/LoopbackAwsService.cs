using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Wren.Backends.Local;

namespace Wren.Tests.Support;

/// <summary>
/// A stand-in for one AWS service on loopback, for the parts moto cannot do without Docker (running code): it answers
/// the requests it handles and passes every other one on to moto.
/// </summary>
internal abstract class LoopbackAwsService : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly HttpClient _proxy = new();
    private readonly string _moto;
    private readonly Task _accepting;

    protected LoopbackAwsService(string motoEndpoint)
    {
        _moto = motoEndpoint.TrimEnd('/');
        _listener.Start();
        Endpoint = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    public string Endpoint { get; }

    protected CancellationTokenSource Stopping { get; } = new();

    /// <summary>Thrown by <see cref="HandleAsync"/> to close the connection without an answer, as a network fault would.</summary>
    protected sealed class DropConnection : Exception;

    /// <summary>The answer to a request this service handles itself, or null to pass it on to moto.</summary>
    protected abstract Task<(int Status, Dictionary<string, string> Headers, byte[] Body)?> HandleAsync(HttpExchange.Request request);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync(Stopping.Token);
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
                while (await exchange.ReadAsync(Stopping.Token) is { } request)
                {
                    (int status, Dictionary<string, string> headers, byte[] body) = await AnswerAsync(request);
                    await exchange.WriteAsync(status, headers, body, Stopping.Token);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or DropConnection)
            {
            }
        }
    }

    private async Task<(int, Dictionary<string, string>, byte[])> AnswerAsync(HttpExchange.Request request)
    {
        try
        {
            return await HandleAsync(request) ?? await ForwardAsync(request);
        }
        catch (Exception e) when (e is not (OperationCanceledException or DropConnection))
        {
            // A fault of the stand-in itself is a service error, so the client neither hangs nor retries forever.
            return (500, new() { ["x-amzn-ErrorType"] = "ServiceException" }, Json(new Dictionary<string, string> { ["message"] = $"test service failed: {e}" }));
        }
    }

    protected static byte[] Json(object value) => JsonSerializer.SerializeToUtf8Bytes(value, value.GetType());

    private async Task<(int, Dictionary<string, string>, byte[])> ForwardAsync(HttpExchange.Request request)
    {
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), _moto + request.Path);
        if (request.Body.Length > 0 || request.Method is "POST" or "PUT")
        {
            forward.Content = new ByteArrayContent(request.Body);
            if (request.Headers.TryGetValue("Content-Type", out string? type)) forward.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        foreach ((string name, string value) in request.Headers)
            if (name is not ("Host" or "Content-Length" or "Content-Type")) forward.Headers.TryAddWithoutValidation(name, value);
        using HttpResponseMessage response = await _proxy.SendAsync(forward);
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key is not ("Content-Length" or "Transfer-Encoding" or "Connection"))
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value));
        return ((int)response.StatusCode, headers, await response.Content.ReadAsByteArrayAsync());
    }

    public virtual async ValueTask DisposeAsync()
    {
        Stopping.Cancel();
        _listener.Stop();
        await _accepting;
        _proxy.Dispose();
    }
}
