using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace Wren.Aws;

/// <summary>
/// Sends signed requests to one AWS service and turns its errors into <see cref="AwsServiceException"/>. Throttling and
/// server errors are retried as the <see cref="RetryPolicy"/> says (a Polly pipeline). Thread-safe. Owns its
/// <see cref="HttpClient"/> (and the connection pool it makes when no handler is given); a handler handed in stays the caller's.
/// </summary>
internal sealed class AwsHttpClient : IDisposable
{
    /// <summary>How long one request may take: past the longest synchronous Lambda invocation (15 minutes), with a minute to spare.</summary>
    private static readonly TimeSpan RequestTimeout = Backends.Lambda.LambdaLimits.MaxTimeout + TimeSpan.FromMinutes(1);

    /// <summary>Connections are renewed this often, so that DNS changes behind an endpoint are followed.</summary>
    private static readonly TimeSpan ConnectionLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Enough connections for every chunk of the widest Map in flight at once (invocations are long requests).</summary>
    private const int MaxConnections = 256;

    private readonly HttpClient _http;
    private readonly AwsContext _context;
    private readonly string _signingName;
    private readonly string _signingRegion;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The handler made here is the HttpClient's (disposeHandler: true), and the HttpClient this client's.")]
    public AwsHttpClient(AwsContext context, string serviceId, string endpointPrefix, string signingName, HttpMessageHandler? handler = null, string? signingRegion = null)
    {
        _context = context;
        ServiceId = serviceId;
        _signingName = signingName;
        _signingRegion = signingRegion ?? context.Region;
        Endpoint = context.Endpoint(serviceId, endpointPrefix);
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = ConnectionLifetime, MaxConnectionsPerServer = MaxConnections }, disposeHandler: handler is null)
        {
            Timeout = RequestTimeout,
        };
    }

    public string ServiceId { get; }

    public void Dispose() => _http.Dispose();

    public Uri Endpoint { get; }

    /// <summary>How many requests were sent, retries included.</summary>
    public int RequestsSent => _requests;

    private int _requests;

    public sealed record Response(HttpStatusCode Status, HttpResponseHeaders Headers, byte[] Body)
    {
        public string? Header(string name) => Headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;
    }

    /// <summary>Told of each request about to be sent again: the operation, why, the attempt that failed, and the wait.</summary>
    public Action<string, string, int, TimeSpan>? Retrying { get; set; }

    public async Task<Response> SendAsync(string operation, HttpMethod method, string pathAndQuery, byte[]? body, string? contentType,
        IReadOnlyDictionary<string, string>? headers = null, RetryPolicy? retry = null, CancellationToken cancellationToken = default)
    {
        retry ??= RetryPolicy.Default;
        // One pipeline per policy serves every operation: each execution names its own, for the retries it reports.
        Polly.ResiliencePipeline pipeline = _pipelines.GetOrAdd(retry, policy => policy.Pipeline(_context.Time, (name, reason, attempt, delay) => Retrying?.Invoke(name, reason, attempt, delay)));
        Polly.ResilienceContext context = Polly.ResilienceContextPool.Shared.Get(operation, cancellationToken);
        try
        {
            return await pipeline.ExecuteAsync(async each => await SendOnceAsync(operation, method, pathAndQuery, body, contentType, headers, each.CancellationToken).ConfigureAwait(false),
                context).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new WrenException($"Cannot reach {ServiceId} at {Endpoint} ({e.Message}); check the network, the region and AWS_ENDPOINT_URL.", e);
        }
        finally
        {
            Polly.ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The retry pipeline of each policy, built once.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<RetryPolicy, Polly.ResiliencePipeline> _pipelines = new();

    /// <summary>One signed attempt: the response, or the service's error as an <see cref="AwsServiceException"/>.</summary>
    private async ValueTask<Response> SendOnceAsync(string operation, HttpMethod method, string pathAndQuery, byte[]? body, string? contentType,
        IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = Build(method, pathAndQuery, body, contentType, headers);
        AwsCredentials credentials = await _context.CredentialsAsync(cancellationToken).ConfigureAwait(false);
        SigV4.Sign(request, body ?? [], credentials, _signingRegion, _signingName, _context.Time.GetUtcNow());
        Interlocked.Increment(ref _requests);
        using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        byte[] bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if ((int)response.StatusCode < 400) return new Response(response.StatusCode, response.Headers, bytes);
        throw ParseError(operation, response, bytes);
    }

    private HttpRequestMessage Build(HttpMethod method, string pathAndQuery, byte[]? body, string? contentType, IReadOnlyDictionary<string, string>? headers)
    {
        var request = new HttpRequestMessage(method, new Uri(Endpoint, pathAndQuery));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (contentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (headers is not null)
            foreach ((string name, string value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private AwsServiceException ParseError(string operation, HttpResponseMessage response, byte[] body)
    {
        string? requestId = Header(response, "x-amzn-RequestId") ?? Header(response, "x-amz-request-id");
        string code = Header(response, "x-amzn-ErrorType")?.Split(':')[0] ?? "";
        string message = "";
        string text = Encoding.UTF8.GetString(body);
        if (text.TrimStart().StartsWith('{'))
        {
            try
            {
                using JsonDocument json = JsonDocument.Parse(body);
                foreach (JsonProperty property in json.RootElement.EnumerateObject())
                {
                    if (property.Value.ValueKind != JsonValueKind.String) continue;
                    if (property.Name.Equals("message", StringComparison.OrdinalIgnoreCase)) message = property.Value.GetString()!;
                    else if (code.Length == 0 && property.Name is "__type" or "Type" or "code" or "Code") code = property.Value.GetString()!.Split('#')[^1];
                }
            }
            catch (JsonException)
            {
            }
        }
        else if (text.TrimStart().StartsWith('<'))
        {
            try
            {
                XElement root = XElement.Parse(text);
                XElement? error = root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error") ?? root;
                code = Child(error, "Code") ?? code;
                message = Child(error, "Message") ?? message;
                requestId ??= root.Descendants().FirstOrDefault(e => e.Name.LocalName is "RequestId" or "RequestID")?.Value;
            }
            catch (System.Xml.XmlException)
            {
            }
        }
        if (code.Length == 0) code = response.StatusCode.ToString();
        if (message.Length == 0) message = text.Length > 300 ? text[..300] : text;
        return new AwsServiceException(ServiceId, operation, response.StatusCode, code, message, requestId)
        {
            RetryAfter = response.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - _context.Time.GetUtcNow(),
                _ => null,
            },
        };
    }

    private static string? Child(XElement element, string name) => element.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;
}
