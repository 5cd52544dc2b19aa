using System.Text;
using Wren.Backends.Local;

namespace Wren.Benchmarks.Aws;

/// <summary>
/// A Lambda Invoke endpoint on loopback that answers every <c>POST /2015-03-31/functions/{name}/invocations</c> at once:
/// 200 with a small JSON body and the headers Lambda sends (request id, executed version, the log tail when asked).
/// It checks nothing but the path, and counts the requests and how many carried a SigV4 Authorization header. It runs
/// in the harness's own process, on Wren's minimal HTTP/1.1 server (<see cref="LoopbackHttpServer"/>), with Nagle off.
/// </summary>
internal sealed class InstantInvokeEndpoint : IAsyncDisposable
{
    private static readonly byte[] Body = """{"StatusCode":200,"ExecutedVersion":"$LATEST","Payload":"ok"}"""u8.ToArray();
    private static readonly string LogTail = Convert.ToBase64String(Encoding.UTF8.GetBytes("START RequestId: 0\nEND RequestId: 0\nREPORT RequestId: 0 Duration: 0.10 ms\n"));
    private static readonly byte[] NotFound = """{"Type":"User","message":"only Invoke is served here"}"""u8.ToArray();

    private readonly LoopbackHttpServer _server;
    private long _requests;
    private long _signed;
    private long _other;
    private long _id;

    public InstantInvokeEndpoint()
    {
        _server = new LoopbackHttpServer(AnswerAsync, backlog: 1024);
        Endpoint = _server.Url;
    }

    /// <summary>The base URL, for <c>AWS_ENDPOINT_URL_LAMBDA</c> or a plain client.</summary>
    public string Endpoint { get; }

    public long Requests => Interlocked.Read(ref _requests);

    public long Signed => Interlocked.Read(ref _signed);

    /// <summary>Requests to anything other than Invoke (answered 404).</summary>
    public long Other => Interlocked.Read(ref _other);

    /// <summary>TCP connections accepted so far.</summary>
    public int Connections => _server.Connections;

    private async Task AnswerAsync(HttpExchange exchange, HttpExchange.Request request, CancellationToken stopping)
    {
        if (request.Method != "POST" || !request.Path.EndsWith("/invocations", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _other);
            await exchange.WriteAsync(404, [new("x-amzn-ErrorType", "ResourceNotFoundException"), new("Content-Type", "application/json")], NotFound, stopping).ConfigureAwait(false);
            return;
        }
        Interlocked.Increment(ref _requests);
        if (request.Headers.TryGetValue("Authorization", out string? authorization) && authorization.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal))
            Interlocked.Increment(ref _signed);
        var headers = new List<KeyValuePair<string, string>>(4)
        {
            new("Content-Type", "application/json"),
            new("x-amzn-RequestId", $"00000000-0000-0000-0000-{Interlocked.Increment(ref _id):D12}"),
            new("X-Amz-Executed-Version", "$LATEST"),
        };
        if (request.Headers.TryGetValue("X-Amz-Log-Type", out string? logType) && logType == "Tail") headers.Add(new("X-Amz-Log-Result", LogTail));
        await exchange.WriteAsync(200, headers, Body, stopping).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
