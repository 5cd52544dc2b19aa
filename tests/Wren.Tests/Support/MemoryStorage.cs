using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Wren.Storage;

namespace Wren.Tests.Support;

/// <summary>
/// Storage in memory, for tests of what reads storage (chunking, ranged reads) rather than of a store: the same keys,
/// ranges and errors as the folder and S3 stores, without a file or a request per read.
/// </summary>
internal sealed class MemoryStorage : IObjectStorage
{
    private readonly ConcurrentDictionary<string, (byte[] Data, DateTimeOffset Time)> _objects = new(StringComparer.Ordinal);

    public string Describe => "memory";

    public void Dispose() => _objects.Clear();

    public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        _objects[key] = (data.ToArray(), DateTimeOffset.UtcNow);
        return Task.CompletedTask;
    }

    public async Task PutAsync(string key, Stream data, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await data.CopyToAsync(buffer, cancellationToken);
        _objects[key] = (buffer.ToArray(), DateTimeOffset.UtcNow);
    }

    private byte[] Object(string key) => _objects.TryGetValue(key, out var stored) ? stored.Data : throw new StorageNotFoundException(key, Describe);

    private static (int Offset, int Count) Range(string key, byte[] data, long offset, long? length)
    {
        long count = length ?? data.Length - offset;
        if (offset < 0 || count < 0 || offset + count > data.Length)
            throw new ArgumentOutOfRangeException(nameof(length), $"Range {offset}+{count} is outside {key} ({data.Length} bytes).");
        return ((int)offset, (int)count);
    }

    public Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        byte[] data = Object(key);
        (int start, int count) = Range(key, data, offset, length);
        return Task.FromResult<Stream>(new MemoryStream(data, start, count, writable: false));
    }

    public Task<byte[]> GetAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        byte[] data = Object(key);
        (int start, int count) = Range(key, data, offset, length);
        return Task.FromResult(data.AsSpan(start, count).ToArray());
    }

    public Task<StoredObject?> GetInfoAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(_objects.TryGetValue(key, out var stored) ? new StoredObject(key, stored.Data.Length, stored.Time) : null);

    public Task<long?> SizeAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(_objects.TryGetValue(key, out var stored) ? (long?)stored.Data.Length : null);

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (string key in _objects.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            if (await GetInfoAsync(key, cancellationToken) is { } info) yield return info;
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        _objects.TryRemove(key, out _);
        return Task.CompletedTask;
    }
}
