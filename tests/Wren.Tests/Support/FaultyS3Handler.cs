namespace Wren.Tests.Support;

/// <summary>
/// S3 as it is under load, for a client's requests: the requests <paramref name="isFault"/> picks (by their number, from
/// 1) are answered with 503 SlowDown or a dropped connection, in turn; the rest go through.
/// </summary>
internal sealed class FaultyS3Handler(Func<int, bool> isFault) : DelegatingHandler(new SocketsHttpHandler())
{
    private int _seen;
    private int _faults;

    /// <summary>Faults out of <paramref name="share"/> of the requests, picked by a seeded random draw.</summary>
    public static FaultyS3Handler AtRate(double share, int seed)
    {
        var random = new Random(seed);
        return new FaultyS3Handler(_ =>
        {
            lock (random) return random.NextDouble() < share;
        });
    }

    /// <summary>How many requests were answered with a fault.</summary>
    public int Faults => Volatile.Read(ref _faults);

    /// <summary>How many requests were made, faulted ones included.</summary>
    public int Requests => Volatile.Read(ref _seen);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        int n = Interlocked.Increment(ref _seen);
        if (!isFault(n)) return await base.SendAsync(request, cancellationToken);
        if (Interlocked.Increment(ref _faults) % 2 == 1)
            return new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable)
            {
                Content = new StringContent("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>", System.Text.Encoding.UTF8, "application/xml"),
            };
        throw new HttpRequestException("The connection was reset", new IOException("Connection reset by peer"));
    }
}
