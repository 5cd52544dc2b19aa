namespace Wren.Tests.Support;

/// <summary>
/// S3 as it is under load, for a client's requests: the requests <paramref name="isFault"/> picks (by their number, from
/// 1) are answered with 503 SlowDown or a dropped connection, in turn; the rest go through. No one request (method and
/// URL) is faulted more than <paramref name="maxInARow"/> times in a row: its next attempt goes through.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The DelegatingHandler owns and disposes its inner SocketsHttpHandler.")]
internal sealed class FaultyS3Handler(Func<int, bool> isFault, int maxInARow = int.MaxValue) : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _inARow = new();
    private int _seen;
    private int _faults;

    /// <summary>
    /// Faults out of <paramref name="share"/> of the requests, picked by a seeded random draw, at most three times in a row
    /// for one request: throttled S3 lets a backed-off retry through. Without that cap, whichever request met a long run
    /// of the draw's faults (which one depends on how many requests came before it, such as the code files of the Map)
    /// would spend the client's ten attempts, with backoffs up to 20 s between them.
    /// </summary>
    public static FaultyS3Handler AtRate(double share, int seed)
    {
        var random = new Random(seed);
        return new FaultyS3Handler(_ =>
        {
            lock (random) return random.NextDouble() < share;
        }, maxInARow: 3);
    }

    /// <summary>How many requests were answered with a fault.</summary>
    public int Faults => Volatile.Read(ref _faults);

    /// <summary>How many requests were made, faulted ones included.</summary>
    public int Requests => Volatile.Read(ref _seen);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        int n = Interlocked.Increment(ref _seen);
        string key = $"{request.Method} {request.RequestUri}";
        if (!isFault(n) || _inARow.GetValueOrDefault(key) >= maxInARow)
        {
            _inARow.TryRemove(key, out _);
            return await base.SendAsync(request, cancellationToken);
        }
        _inARow.AddOrUpdate(key, 1, (_, count) => count + 1);
        if (Interlocked.Increment(ref _faults) % 2 == 1)
            return new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable)
            {
                Content = new StringContent("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>", System.Text.Encoding.UTF8, "application/xml"),
            };
        throw new HttpRequestException("The connection was reset", new IOException("Connection reset by peer"));
    }
}
