using System.Diagnostics;
using Wren.Protocol;
using Wren.Serialization;
using Wren.Storage;

namespace Wren.Worker;

/// <summary>
/// Runs the calls of one invocation, several at once up to the request's parallelism: loads the job's code and function (cached while warm), runs
/// each call, and collects outputs, errors and stats. One failing call does not stop the others. A call that runs past
/// its timeout cannot be stopped inside .NET, so the worker answers for it and then exits, and a fresh worker takes over.
/// </summary>
internal sealed partial class ChunkRunner(string workerId, Func<StorageLocation, IObjectStorage> openStorage, string codeCacheFolder, TimeProvider time) : IDisposable
{
    private readonly Dictionary<string, (CodeSet Code, WrenSerializerOptions Options)> _codeSets = [];
    private readonly Dictionary<string, CallInvoker> _functions = [];
    private readonly Dictionary<StorageLocation, IObjectStorage> _storages = [];
    private bool _cold = true;

    private string WorkerId => workerId;

    private TimeProvider Clock => time;

    /// <summary>How long before the invocation's deadline the worker stops: enough to answer before Lambda ends it.</summary>
    private static readonly TimeSpan DeadlineMargin = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs the chunk, up to the request's parallelism of calls at once. <paramref name="giveUp"/> is called, from
    /// another thread, if a call runs past its timeout or into the invocation's <paramref name="deadline"/>; calls not
    /// started before the deadline come back as not run.
    /// </summary>
    public async Task<InvocationResponse> RunAsync(InvocationRequest request, DateTimeOffset? deadline, Action<InvocationResponse> giveUp, CancellationToken cancellationToken)
    {
        long taken = time.GetTimestamp();
        (IObjectStorage storage, CallInvoker invoker) = await PrepareAsync(request, cancellationToken).ConfigureAwait(false);
        byte[] data = request.Data ?? await storage.GetAsync(request.DataKey!, request.DataOffset, request.InputLengths.Sum(l => (long)l), cancellationToken).ConfigureAwait(false);

        int parallelism = Math.Clamp(request.Parallelism ?? Environment.ProcessorCount, 1, Math.Max(1, request.CallIds.Length));
        var chunk = new ChunkRun(this, request, storage, DataStorage(request.Storage, storage), invoker, data, deadline, taken, parallelism, cancellationToken);
        using Watched watched = Watch(chunk, giveUp);
        // Calls that block (a synchronous function, a wait) must not queue behind the pool's slow thread injection.
        ThreadPool.GetMinThreads(out int threads, out int ioThreads);
        if (threads < parallelism + 2) ThreadPool.SetMinThreads(parallelism + 2, ioThreads);
        // One at a time runs here, without a hop to another thread; side by side, each runner has a thread of its own.
        if (parallelism == 1) await chunk.RunCallsAsync(0).ConfigureAwait(false);
        else await Task.WhenAll(Enumerable.Range(0, parallelism).Select(runner => Task.Run(() => chunk.RunCallsAsync(runner), CancellationToken.None))).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (!chunk.TryAnswer())
        {
            // The watchdog answered already and the worker is exiting; this answer would be a second one.
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        InvocationResponse response = chunk.Response();
        await StoreResponseAsync(request, response, cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <summary>
    /// What the previous invocation ran with: the next one, from the same job or the next <c>CallAsync</c> of the same
    /// function, usually has the same storage, code and function, which is then told by comparing bytes rather than by
    /// hashing the function.
    /// </summary>
    private (StorageLocation Location, string CodeKey, byte[]? Function, string? FunctionKey, IObjectStorage Storage, CallInvoker Invoker)? _previous;

    private async ValueTask<(IObjectStorage Storage, CallInvoker Invoker)> PrepareAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        if (_previous is { } previous && previous.Location == request.Storage && previous.FunctionKey == request.FunctionKey
            && previous.CodeKey == request.CodeKey
            && (previous.Function is null ? request.Function is null : request.Function is not null && previous.Function.AsSpan().SequenceEqual(request.Function)))
            return (previous.Storage, previous.Invoker);
        IObjectStorage storage = Storage(request.Storage);
        // A code set is known by its key; its list of files is read only the first time.
        if (!_codeSets.TryGetValue(request.CodeKey, out (CodeSet Code, WrenSerializerOptions Options) loaded))
        {
            CodeFile[] files = CodeManifest.Read(request.CodeKey, request.CodeList);
            CodeSet code = await CodeSet.LoadAsync(request.CodeKey, files, storage, request.Storage.Prefix, codeCacheFolder, cancellationToken).ConfigureAwait(false);
            // Wren.Core is allowed too: a function that takes a CallContext ships as a Wren.Core adapter around the user's.
            // One options object per code set: options are checked once each, and every CallAsync is an invocation.
            loaded = (code, new WrenSerializerOptions { AllowedAssemblies = [.. code.UserAssemblies, typeof(CallContext).Assembly], Delegates = true });
            _codeSets[request.CodeKey] = loaded;
        }
        CallInvoker invoker = await FunctionAsync(request, storage, request.CodeKey, loaded.Options, cancellationToken).ConfigureAwait(false);
        _previous = (request.Storage, request.CodeKey, request.Function, request.FunctionKey, storage, invoker);
        return (storage, invoker);
    }

    /// <summary>
    /// Puts the chunk under the watchdog: one timer for the worker, armed while chunks run and for a period after, rather
    /// than a timer per chunk, whose making and disposal wake the timer thread at every invocation (every
    /// <c>CallAsync</c> is one). It looks at each watched chunk at least once a period.
    /// </summary>
    private Watched Watch(ChunkRun chunk, Action<InvocationResponse> giveUp)
    {
        TimeSpan period = WatchdogPeriod(chunk.Timeout);
        lock (_watched)
        {
            _watched.Add((chunk, giveUp));
            if (_watchdog is null) _watchdog = time.CreateTimer(_ => OnWatchdog(), null, period, period);
            else if (period < _watchPeriod || _watchPeriod == Timeout.InfiniteTimeSpan) _watchdog.Change(period, period);
            else return new Watched(this, chunk);
            _watchPeriod = period;
        }
        return new Watched(this, chunk);
    }

    private void OnWatchdog()
    {
        (ChunkRun Chunk, Action<InvocationResponse> GiveUp)[] watched;
        lock (_watched)
        {
            if (_watched.Count == 0)
            {
                // Nothing runs: the timer sleeps until the next chunk.
                _watchdog?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _watchPeriod = Timeout.InfiniteTimeSpan;
                return;
            }
            watched = [.. _watched];
        }
        foreach ((ChunkRun chunk, Action<InvocationResponse> giveUp) in watched)
            if (chunk.Watch() is { } timedOut) giveUp(timedOut);
    }

    private readonly List<(ChunkRun Chunk, Action<InvocationResponse> GiveUp)> _watched = [];
    private ITimer? _watchdog;
    private TimeSpan _watchPeriod = Timeout.InfiniteTimeSpan;

    /// <summary>A chunk under the watchdog until disposed.</summary>
    private readonly struct Watched(ChunkRunner runner, ChunkRun chunk) : IDisposable
    {
        public void Dispose() => runner.Unwatch(chunk);
    }

    private void Unwatch(ChunkRun chunk)
    {
        lock (_watched) _watched.RemoveAll(w => w.Chunk == chunk);
    }

    /// <summary>Whether this is the worker's first call (a cold start); true once.</summary>
    private bool TakeCold() => Interlocked.Exchange(ref _cold, false);

    /// <summary>Puts the response where an asynchronous invocation's client looks for it, if the request asks.</summary>
    public async Task StoreResponseAsync(InvocationRequest request, InvocationResponse response, CancellationToken cancellationToken)
    {
        if (request.ResponseKey is not { } key) return;
        await Storage(request.Storage).PutAsync(key, WrenProtocol.Wrap(response), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The call's time left before its timeout or the invocation's deadline (less the answering margin).</summary>
    private TimeSpan RemainingTime(long started, TimeSpan timeout, DateTimeOffset? deadline)
    {
        TimeSpan left = timeout - time.GetElapsedTime(started);
        if (deadline is { } end && end - DeadlineMargin - time.GetUtcNow() is var beforeDeadline && beforeDeadline < left) left = beforeDeadline;
        return left;
    }

    /// <summary>How long before it is stopped a call's token trips: a tenth of its timeout, from 100 ms to 2 s.</summary>
    private static TimeSpan StopWarning(TimeSpan timeout) =>
        TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 10, 100, 2000));

    private static void CancelQuietly(CancellationTokenSource? source)
    {
        try
        {
            source?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call ended just now.
        }
    }

    /// <summary>
    /// The data store of <see cref="CallContext.Storage"/>: the local data folder, or the job's bucket with its own keys
    /// (and any other bucket named by <c>s3://</c>).
    /// </summary>
    private WrenStorage DataStorage(StorageLocation location, IObjectStorage jobStorage)
    {
        if (location.Kind == StorageLocation.Local)
            return new WrenStorage(location.DataPath is { } path ? Storage(StorageLocation.ForFolder(path)) : jobStorage, null);
        return new WrenStorage(jobStorage, bucket => Storage(location with { Bucket = bucket, Prefix = "" }));
    }

    private static TimeSpan WatchdogPeriod(TimeSpan timeout) =>
        TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 20, 10, 1000));

    /// <summary>
    /// How many functions a warm worker keeps ready. Each is keyed by its content, so a function called again in a new
    /// job (every <c>CallAsync</c> is one) is not rebuilt; past this many the cache starts over, so that a worker that
    /// lives long and sees many closures keeps its memory flat.
    /// </summary>
    private const int MaxCachedFunctions = 64;

    private async Task<CallInvoker> FunctionAsync(InvocationRequest request, IObjectStorage storage, string codeKey, WrenSerializerOptions options, CancellationToken cancellationToken)
    {
        string functionKey = codeKey + "/" + (request.Function is { } inline ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(inline)) : request.FunctionKey);
        if (_functions.TryGetValue(functionKey, out CallInvoker? cached)) return cached;
        byte[] bytes = request.Function ?? await storage.GetAsync(request.FunctionKey!, cancellationToken: cancellationToken).ConfigureAwait(false);
        Delegate function;
        try
        {
            function = WrenSerializer.Deserialize<Delegate>(bytes, options);
        }
        catch (WrenSerializationException e)
        {
            throw e.WithRoot("closure");
        }
        CallInvoker invoker = CallInvoker.For(function, options);
        if (_functions.Count >= MaxCachedFunctions) _functions.Clear();
        _functions[functionKey] = invoker;
        return invoker;
    }

    /// <summary>The storages this runner opened (and kept for the next invocations) and its watchdog are its own to close.</summary>
    public void Dispose()
    {
        lock (_watched) _watchdog?.Dispose();
        lock (_storages)
        {
            foreach (IObjectStorage storage in _storages.Values) storage.Dispose();
            _storages.Clear();
        }
    }

    private IObjectStorage Storage(StorageLocation location)
    {
        lock (_storages)
        {
            if (!_storages.TryGetValue(location, out IObjectStorage? storage)) _storages[location] = storage = openStorage(location);
            return storage;
        }
    }

    /// <summary>
    /// The process's peak resident memory, read for every invocation: on Linux from <c>getrusage</c> (one system call;
    /// its <c>ru_maxrss</c> is the kernel's VmHWM, in kilobytes), elsewhere from <see cref="Process"/>.
    /// </summary>
    private static long PeakMemory()
    {
        if (OperatingSystem.IsLinux())
        {
            Span<long> usage = stackalloc long[18];
            if (Native.GetResourceUsage(Native.ResourceUsageSelf, ref usage[0]) == 0) return usage[Native.MaxResidentField] * 1024;
        }
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    private static partial class Native
    {
        public const int ResourceUsageSelf = 0;

        /// <summary>Where <c>ru_maxrss</c> is in <c>struct rusage</c>, counted in longs: after two <c>struct timeval</c>s.</summary>
        public const int MaxResidentField = 4;

        [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "getrusage")]
        public static partial int GetResourceUsage(int who, ref long usage);
    }

    /// <summary>
    /// Looks for a cancelled Map's marker, and for the running call's own (its duplicate answered first), at most once a
    /// second, one look at a time, while calls run.
    /// </summary>
    private sealed class CancelWatch(IObjectStorage storage, string key, Func<int, string>? callKey, TimeProvider time)
    {
        private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
        private long _lastLook;
        private int _looking;
        private volatile bool _cancelled;

        public bool Cancelled => _cancelled;

        public void Poll(List<RunningView> running)
        {
            if (Cancelled)
            {
                foreach (RunningView call in running) call.Cancel();
                return;
            }
            long now = time.GetTimestamp();
            if (_lastLook != 0 && time.GetElapsedTime(_lastLook, now) < Interval) return;
            if (Interlocked.Exchange(ref _looking, 1) != 0) return;
            _lastLook = now;
            _ = Task.Run(async () =>
            {
                try
                {
                    if (await storage.SizeAsync(key).ConfigureAwait(false) is not null)
                    {
                        _cancelled = true;
                        foreach (RunningView call in running) call.Cancel();
                        return;
                    }
                    if (callKey is null) return;
                    foreach (RunningView call in running)
                        if (await storage.SizeAsync(callKey(call.CallId)).ConfigureAwait(false) is not null) call.Cancel();
                }
                catch (Exception e) when (e is WrenException or IOException or HttpRequestException or Amazon.Runtime.AmazonServiceException)
                {
                    // A look that failed is tried again at the next interval.
                }
                finally
                {
                    Volatile.Write(ref _looking, 0);
                }
            });
        }
    }
}
