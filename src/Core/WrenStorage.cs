using System.Runtime.CompilerServices;
using Wren.Data;
using Wren.Storage;

namespace Wren;

/// <summary>
/// The data store a Map reads and writes: the configured bucket on AWS (its own keys, not Wren's prefix), a folder on
/// the local backend. The same store is <c>WrenExecutor.Storage</c> in the client and
/// <see cref="CallContext.Storage"/> inside a call. A key that starts with <c>s3://bucket/</c> names another bucket.
/// </summary>
public sealed class WrenStorage
{
    private readonly IObjectStorage _store;
    private readonly Func<string, IObjectStorage>? _otherBucket;

    internal WrenStorage(IObjectStorage store, Func<string, IObjectStorage>? otherBucket)
    {
        _store = store;
        _otherBucket = otherBucket;
    }

    /// <summary>Where the store is: a folder, or <c>s3://bucket</c>.</summary>
    public string Location => _store.Describe;

    /// <summary>Writes an object.</summary>
    public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        (IObjectStorage store, string name) = Resolve(key, prefix: false);
        return store.PutAsync(name, data, cancellationToken);
    }

    /// <summary>Writes an object from a stream, read to its end without holding it all in memory.</summary>
    public Task PutAsync(string key, Stream data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        (IObjectStorage store, string name) = Resolve(key, prefix: false);
        return store.PutAsync(name, data, cancellationToken);
    }

    /// <summary>Reads a whole object; <see cref="StorageNotFoundException"/> when there is none.</summary>
    public async Task<byte[]> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        (IObjectStorage store, string name) = Resolve(key, prefix: false);
        try
        {
            return await store.GetAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (StorageNotFoundException)
        {
            throw NotFound(key, store);
        }
    }

    /// <summary>A stream of <paramref name="length"/> bytes from <paramref name="offset"/> (to the end when null), read from storage as it is consumed.</summary>
    public async Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "A length is 0 or more.");
        (IObjectStorage store, string name) = Resolve(key, prefix: false);
        StoredObject info = await store.GetInfoAsync(name, cancellationToken).ConfigureAwait(false) ?? throw NotFound(key, store);
        if (offset > info.Size || (length is { } count && offset + count > info.Size))
            throw new ArgumentOutOfRangeException(nameof(length), $"Bytes {offset} to {offset + (length ?? 0)} are past the end of '{key}' ({info.Size} bytes).");
        try
        {
            return await store.OpenReadAsync(name, offset, length ?? info.Size - offset, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageNotFoundException)
        {
            throw NotFound(key, store);
        }
    }

    /// <summary>Every object whose key starts with <paramref name="prefix"/>, in key order, paged as it is enumerated.</summary>
    public async IAsyncEnumerable<StorageObject> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        DataLocation location = DataLocation.Parse(prefix, prefix: true);
        IObjectStorage store = Store(location);
        await foreach (StoredObject item in Sorted(store, location.Key, cancellationToken).ConfigureAwait(false))
            yield return Public(location, item);
    }

    /// <summary>The object's size, time and entity tag, or null when there is none.</summary>
    public async Task<StorageObject?> GetInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        DataLocation location = DataLocation.Parse(key, prefix: false);
        StoredObject? info = await Store(location).GetInfoAsync(location.Key, cancellationToken).ConfigureAwait(false);
        return info is null ? null : Public(location, info);
    }

    /// <summary>Deletes an object; true when there was one.</summary>
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        (IObjectStorage store, string name) = Resolve(key, prefix: false);
        if (await store.GetInfoAsync(name, cancellationToken).ConfigureAwait(false) is null) return false;
        await store.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The storage and key a location names.</summary>
    internal (IObjectStorage Store, string Key) Resolve(string key, bool prefix)
    {
        DataLocation location = DataLocation.Parse(key, prefix);
        return (Store(location), location.Key);
    }

    internal IObjectStorage Store(DataLocation location)
    {
        if (location.Bucket is null) return _store;
        if (_otherBucket is null)
            throw new WrenException($"'s3://{location.Bucket}/{location.Key}' names an S3 bucket, but this executor runs on the local backend, whose data store is the folder {_store.Describe}: put the objects there (executor.Storage.PutAsync), or run on AWS.");
        return _otherBucket(location.Bucket);
    }

    /// <summary>The objects under a prefix in ordinal key order (S3 lists so; a folder is sorted here).</summary>
    internal static async IAsyncEnumerable<StoredObject> Sorted(IObjectStorage store, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (store is FileStorage)
        {
            var all = new List<StoredObject>();
            await foreach (StoredObject item in store.ListAsync(prefix, cancellationToken).ConfigureAwait(false)) all.Add(item);
            all.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            foreach (StoredObject item in all) yield return item;
            yield break;
        }
        await foreach (StoredObject item in store.ListAsync(prefix, cancellationToken).ConfigureAwait(false)) yield return item;
    }

    private static StorageObject Public(DataLocation location, StoredObject item) =>
        new(location.Name(item.Key), item.Size, item.LastModified, item.ETag ?? "");

    private static StorageNotFoundException NotFound(string key, IObjectStorage store) =>
        new(key, store.Describe, $"'{key}' is not in {store.Describe}.");
}
