namespace Wren.Aws;

/// <summary>
/// The parts of an HTTP request that SigV4 signs, independent of any HTTP stack: what a client sends on the wire,
/// before the signer adds its headers or query parameters.
/// </summary>
internal sealed class SignableRequest
{
    /// <summary>The HTTP method, e.g. GET.</summary>
    public required string Method { get; init; }

    /// <summary>The path as sent on the wire, without the query (percent-encoded as the client sends it).</summary>
    public required string Path { get; init; }

    /// <summary>The query as raw key/value pairs in wire order, still percent-encoded as sent.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    /// <summary>The headers in wire order; a name may repeat. Must include Host.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The body; ignored when <see cref="PayloadHash"/> is set.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The hex SHA-256 of the body, or a marker such as UNSIGNED-PAYLOAD; null to hash <see cref="Body"/>.</summary>
    public string? PayloadHash { get; init; }
}
