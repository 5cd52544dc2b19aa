using System.Net.Http.Headers;

namespace Wren.Aws;

/// <summary>Turns an <see cref="HttpRequestMessage"/> into what SigV4 signs, and puts the signature on it.</summary>
internal static class HttpRequestSigning
{
    private static readonly string[] SignatureHeaders = ["Authorization", "X-Amz-Date", "X-Amz-Security-Token"];

    /// <summary>
    /// The request as SigV4 sees it, signing only headers that HttpClient sends exactly as they stand here: Host,
    /// Content-Type, Content-MD5 and x-amz-*. Others (User-Agent, Content-Length,
    /// Accept-Encoding...) can be added or rewritten by the handler or a proxy after signing, which would make AWS
    /// reject the signature; AWS requires only Host and the x-amz-* headers to be signed.
    /// </summary>
    public static SignableRequest ToSignable(HttpRequestMessage message, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(message);
        Uri uri = message.RequestUri ?? throw new ArgumentException("The request has no RequestUri; set an absolute AWS endpoint URI before signing.", nameof(message));
        if (!uri.IsAbsoluteUri)
            throw new ArgumentException($"The request URI '{uri}' is relative; SigV4 signs the host, so give an absolute URI.", nameof(message));

        var headers = new List<KeyValuePair<string, string>> { new("Host", message.Headers.Host ?? HostOf(uri)) };
        AddSigned(headers, message.Headers);
        if (message.Content is not null) AddSigned(headers, message.Content.Headers);
        return new SignableRequest
        {
            Method = message.Method.Method,
            Path = uri.AbsolutePath,
            Query = AwsUriEncoding.ParseQuery(uri.Query),
            Headers = headers,
            Body = body,
        };
    }

    /// <summary>Removes the headers an earlier signature added, so that signing again (a retry) does not sign them.</summary>
    public static void RemoveSignature(HttpRequestMessage message, SigV4Options options)
    {
        foreach (string name in SignatureHeaders) message.Headers.Remove(name);
        if (options.AddContentSha256Header) message.Headers.Remove("x-amz-content-sha256");
    }

    public static void AddHeaders(HttpRequestMessage message, IEnumerable<KeyValuePair<string, string>> headers)
    {
        foreach ((string name, string value) in headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
                throw new InvalidOperationException($"Could not add the header {name} to the request; HttpClient refused it.");
        }
    }

    /// <summary>As HttpClient writes Host: the port only when it is not the scheme's default, IPv6 in brackets.</summary>
    private static string HostOf(Uri uri)
    {
        string host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        return uri.IsDefaultPort ? host : $"{host}:{uri.Port}";
    }

    private static void AddSigned(List<KeyValuePair<string, string>> signed, HttpHeaders headers)
    {
        foreach ((string name, HeaderStringValues values) in headers.NonValidated)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase)) continue;
            if (!name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase)
                && !name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
                && !name.Equals("Content-MD5", StringComparison.OrdinalIgnoreCase)) continue;
            // HttpClient sends several values of one header on one line joined by ", ", so the server sees that.
            signed.Add(new(name, string.Join(", ", values)));
        }
    }
}
