using System.Collections.Concurrent;
using Wren.Backends;
using Wren.Data;
using Wren.Protocol;
using Wren.Shipping;
using Wren.Storage;

namespace Wren;

/// <summary>The data side of the executor: its storage, Maps over objects in storage, and functions that take a <see cref="CallContext"/>.</summary>
public sealed partial class WrenExecutor
{
    /// <summary>Storages of the other buckets Maps read, made once each (a lost race makes no second client) and disposed with the executor.</summary>
    private readonly ConcurrentDictionary<string, Lazy<S3Storage>> _otherBuckets = new();

    /// <summary>
    /// The data store: the configured bucket on AWS (its own keys, not under Wren's prefix; <c>s3://other/key</c> names
    /// another bucket), a folder on the local backend (<see cref="WrenOptions.DataPath"/>).
    /// </summary>
    public WrenStorage Storage { get; }

    /// <summary>Calls <paramref name="function"/> on every input with its <see cref="CallContext"/>, remotely.</summary>
    public FutureList<TOut> Map<TIn, TOut>(Func<TIn, CallContext, TOut> function, IEnumerable<TIn> inputs, MapOptions? options = null, CancellationToken cancellationToken = default) =>
        Submit<TIn, TOut>(WithContext(function), inputs, options, cancellationToken);

    /// <summary>Calls the asynchronous <paramref name="function"/> on every input with its <see cref="CallContext"/>, remotely.</summary>
    public FutureList<TOut> Map<TIn, TOut>(Func<TIn, CallContext, Task<TOut>> function, IEnumerable<TIn> inputs, MapOptions? options = null, CancellationToken cancellationToken = default) =>
        Submit<TIn, TOut>(WithContext(function), inputs, options, cancellationToken);

    /// <summary>
    /// Calls <paramref name="function"/> on every chunk of the objects at <paramref name="location"/> (a prefix, one key,
    /// or <c>s3://bucket/prefix</c>), split as <paramref name="chunking"/> says; results in the order of (key, offset).
    /// The objects are listed before this returns; empty ones are skipped, and a prefix with none gives no futures.
    /// </summary>
    public FutureList<TOut> MapObjects<TOut>(string location, Func<ObjectChunk, TOut> function, ObjectChunking? chunking = null, MapOptions? options = null, CancellationToken cancellationToken = default) =>
        MapObjects([location], function, chunking, options, cancellationToken);

    /// <summary>As <see cref="MapObjects{TOut}(string, Func{ObjectChunk, TOut}, ObjectChunking?, MapOptions?, CancellationToken)"/>, for an asynchronous function.</summary>
    public FutureList<TOut> MapObjects<TOut>(string location, Func<ObjectChunk, Task<TOut>> function, ObjectChunking? chunking = null, MapOptions? options = null, CancellationToken cancellationToken = default) =>
        MapObjects([location], function, chunking, options, cancellationToken);

    /// <summary>As <see cref="MapObjects{TOut}(string, Func{ObjectChunk, TOut}, ObjectChunking?, MapOptions?, CancellationToken)"/>, for a function that takes its <see cref="CallContext"/>.</summary>
    public FutureList<TOut> MapObjects<TOut>(string location, Func<ObjectChunk, CallContext, TOut> function, ObjectChunking? chunking = null, MapOptions? options = null, CancellationToken cancellationToken = default) =>
        MapObjects([location], function, chunking, options, cancellationToken);

    /// <summary>As <see cref="MapObjects{TOut}(string, Func{ObjectChunk, TOut}, ObjectChunking?, MapOptions?, CancellationToken)"/>, for an asynchronous function that takes its <see cref="CallContext"/>.</summary>
    public FutureList<TOut> MapObjects<TOut>(string location, Func<ObjectChunk, CallContext, Task<TOut>> function, ObjectChunking? chunking = null, MapOptions? options = null, CancellationToken cancellationToken = default) =>
        MapObjects([location], function, chunking, options, cancellationToken);

    /// <summary>Calls <paramref name="function"/> on every chunk of the objects at each of <paramref name="locations"/>.</summary>
    public FutureList<TOut> MapObjects<TOut>(IEnumerable<string> locations, Func<ObjectChunk, TOut> function, ObjectChunking? chunking = null, MapOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Submit<ObjectChunk, TOut>(function, PlanChunks(locations, chunking, cancellationToken), options, cancellationToken);
    }

    /// <summary>Calls the asynchronous <paramref name="function"/> on every chunk of the objects at each of <paramref name="locations"/>.</summary>
    public FutureList<TOut> MapObjects<TOut>(IEnumerable<string> locations, Func<ObjectChunk, Task<TOut>> function, ObjectChunking? chunking = null, MapOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Submit<ObjectChunk, TOut>(function, PlanChunks(locations, chunking, cancellationToken), options, cancellationToken);
    }

    /// <summary>Calls <paramref name="function"/> with its <see cref="CallContext"/> on every chunk of the objects at each of <paramref name="locations"/>.</summary>
    public FutureList<TOut> MapObjects<TOut>(IEnumerable<string> locations, Func<ObjectChunk, CallContext, TOut> function, ObjectChunking? chunking = null, MapOptions? options = null, CancellationToken cancellationToken = default)
    {
        Delegate wrapped = WithContext(function);
        return Submit<ObjectChunk, TOut>(wrapped, PlanChunks(locations, chunking, cancellationToken), options, cancellationToken);
    }

    /// <summary>Calls the asynchronous <paramref name="function"/> with its <see cref="CallContext"/> on every chunk of the objects at each of <paramref name="locations"/>.</summary>
    public FutureList<TOut> MapObjects<TOut>(IEnumerable<string> locations, Func<ObjectChunk, CallContext, Task<TOut>> function, ObjectChunking? chunking = null, MapOptions? options = null, CancellationToken cancellationToken = default)
    {
        Delegate wrapped = WithContext(function);
        return Submit<ObjectChunk, TOut>(wrapped, PlanChunks(locations, chunking, cancellationToken), options, cancellationToken);
    }

    /// <summary>The user's function, its closure pruned, inside the adapter that hands it the running call's context.</summary>
    private static Func<TIn, TOut> WithContext<TIn, TOut>(Func<TIn, CallContext, TOut> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new ContextFunction<TIn, TOut>((Func<TIn, CallContext, TOut>)ClosurePruner.Prune(function)).Invoke;
    }

    /// <summary>
    /// Lists the objects (before Map returns: the calls are known only then) and splits them into chunks in
    /// (location, key, offset) order. A public API that returns futures at once has to wait for the listing here.
    /// </summary>
    private List<ObjectChunk> PlanChunks(IEnumerable<string> locations, ObjectChunking? chunking, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(locations);
        chunking ??= new ObjectChunking();
        chunking.Validate();
        var chunks = new List<ObjectChunk>();
        foreach (string location in locations)
        {
            DataLocation parsed = DataLocation.Parse(location, prefix: true);
            IObjectStorage store = Storage.Store(parsed);
            // A location that is exactly an object's key means that object alone (not also "a.txt.bak").
            StoredObject? exact = parsed.Key.Length == 0 || parsed.Key.EndsWith('/') ? null
                : store.GetInfoAsync(parsed.Key, cancellationToken).GetAwaiter().GetResult();
            IEnumerable<StoredObject> objects = exact is not null ? [exact] : ListObjects(store, parsed.Key, cancellationToken);
            foreach (StoredObject item in objects)
            {
                if (item.Size == 0) continue;
                int index = 0;
                foreach ((long offset, long length) in chunking.Split(item.Size))
                    chunks.Add(new ObjectChunk(parsed.Name(item.Key), parsed.Bucket, item.Key, offset, length, item.Size, index++, chunking.AlignToLines, Storage));
            }
        }
        return chunks;
    }

    private static IEnumerable<StoredObject> ListObjects(IObjectStorage store, string prefix, CancellationToken cancellationToken) =>
        WrenStorage.Sorted(store, prefix, cancellationToken).ToBlockingEnumerable(cancellationToken);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "A folder storage holds nothing open.")]
    private WrenStorage CreateStorage(IComputeBackend backend)
    {
        StorageLocation location = backend.Location;
        if (location.Kind == StorageLocation.Local)
            return new WrenStorage(new FileStorage(location.DataPath ?? _configuration.DataPath), null);
        string region = location.Region ?? _configuration.Region ?? "us-east-1";
        return new WrenStorage(backend.Storage, bucket => _otherBuckets.GetOrAdd(bucket, name => new Lazy<S3Storage>(() => new S3Storage(name, region, time: _configuration.Time))).Value);
    }
}
