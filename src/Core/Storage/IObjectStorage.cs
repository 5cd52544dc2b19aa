namespace Wren.Storage;

/// <summary>
/// Where jobs keep code, inputs, outputs and logs: a folder on disk or an S3 bucket, with the same keys in both.
/// Keys use '/' and never start with it. Whoever creates a storage disposes it (an S3 storage holds its client's
/// connections).
/// </summary>
internal interface IObjectStorage : IDisposable
{
    /// <summary>A short description for messages: a folder path or <c>s3://bucket/prefix</c>.</summary>
    string Describe { get; }

    Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Writes an object from a stream read to its end, without holding all of it in memory.</summary>
    Task PutAsync(string key, Stream data, CancellationToken cancellationToken = default);

    /// <summary>A stream of the byte range [offset, offset + length) (to the end when null), read as it is consumed.</summary>
    Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default);

    /// <summary>The object's size, time and entity tag, or null when it does not exist.</summary>
    Task<StoredObject?> GetInfoAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Reads an object, or the byte range [offset, offset + length) of it.</summary>
    Task<byte[]> GetAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default);

    /// <summary>The object's size, or null when it does not exist.</summary>
    Task<long?> SizeAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Every object under a prefix, with its size and last-modified time.</summary>
    IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken = default);

    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>One object in storage; the entity tag is S3's, or for a file one made of its size and time.</summary>
internal sealed record StoredObject(string Key, long Size, DateTimeOffset LastModified, string? ETag = null);
