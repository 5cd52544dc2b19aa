using System.Collections.Concurrent;

namespace Wren.Benchmarks.Aws;

/// <summary>
/// Counts the HTTP requests an <see cref="Wren.Storage.S3Storage"/> sends (it takes this as its handler): each one that
/// goes out on the wire, retries included, by method and by what the key is (see <see cref="S3Kind"/>).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "A delegating handler disposes its inner handler.")]
internal sealed class S3RequestCounter() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentQueue<(string Method, string Path)> _requests = new();

    public int Count => _requests.Count;

    public IReadOnlyList<(string Method, string Path)> Since(int from) => [.. _requests.Skip(from)];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _requests.Enqueue((request.Method.Method, request.RequestUri?.AbsolutePath ?? ""));
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>What an S3 request was for, from its path-style path (<c>/bucket/prefix/...</c>), in Wren's key layout.</summary>
internal static class S3Kind
{
    public const string Code = "code file";
    public const string Function = "job function";
    public const string Data = "job inputs";
    public const string Response = "invocation response";
    public const string Output = "call output";
    public const string Bucket = "bucket (list, create)";
    public const string Other = "other";

    public static readonly string[] All = [Code, Function, Data, Response, Output, Bucket, Other];

    public static string Of(string path, string bucket)
    {
        string rest = path.TrimStart('/');
        if (!rest.StartsWith(bucket, StringComparison.Ordinal)) return Other;
        rest = rest[bucket.Length..].TrimStart('/');
        int query = rest.IndexOf('?');
        if (query >= 0) rest = rest[..query];
        if (rest.Length == 0) return Bucket;
        string[] parts = rest.Split('/');
        if (parts.Length >= 2 && parts[^2] == "code" && parts[^1].EndsWith(".dll", StringComparison.Ordinal)) return Code;
        string last = parts[^1];
        if (last == "function") return Function;
        if (last == "data") return Data;
        if (last.StartsWith("response-", StringComparison.Ordinal)) return Response;
        if (last == "output") return Output;
        return Other;
    }

    /// <summary>"HEAD code file: 21, PUT code file: 21" in a fixed order.</summary>
    public static string Describe(IEnumerable<(string Method, string Path)> requests, string bucket)
    {
        var groups = requests.GroupBy(r => (r.Method, Kind: Of(r.Path, bucket)))
            .OrderBy(g => Array.IndexOf(All, g.Key.Kind)).ThenBy(g => g.Key.Method, StringComparer.Ordinal)
            .Select(g => $"{g.Key.Method} {g.Key.Kind} {g.Count()}")
            .ToList();
        return groups.Count == 0 ? "none" : string.Join(", ", groups);
    }
}
