using System.Buffers;
using System.Diagnostics;
using Wren.Jobs;
using Wren.Protocol;
using Wren.Serialization;
using Wren.Storage;

namespace Wren.Worker;

/// <summary>
/// Runs the calls of one invocation, one after another: loads the job's code and function (cached while warm), runs
/// each call, and collects outputs, errors and stats. One failing call does not stop the others. A call that runs past
/// its timeout cannot be stopped inside .NET, so the worker answers for it and then exits, and a fresh worker takes over.
/// </summary>
internal sealed class ChunkRunner(string workerId, Func<StorageLocation, IObjectStorage> openStorage, string codeCacheFolder, TimeProvider time)
{
    private readonly Dictionary<string, CodeSet> _codeSets = [];
    private readonly Dictionary<string, (string Key, CallInvoker Invoker)> _functions = [];
    private readonly Dictionary<StorageLocation, IObjectStorage> _storages = [];
    private bool _cold = true;

    /// <summary>How long before the invocation's deadline the worker stops: enough to answer before Lambda ends it.</summary>
    private static readonly TimeSpan DeadlineMargin = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs the chunk. <paramref name="giveUp"/> is called, from another thread, if a call runs past its timeout or into
    /// the invocation's <paramref name="deadline"/>; calls not started before the deadline come back as not run.
    /// </summary>
    public async Task<InvocationResponse> RunAsync(InvocationRequest request, DateTimeOffset? deadline, Action<InvocationResponse> giveUp, CancellationToken cancellationToken)
    {
        IObjectStorage storage = Storage(request.Storage);
        string codeKey = CodeSet.KeyOf(request.Code);
        if (!_codeSets.TryGetValue(codeKey, out CodeSet? code))
        {
            code = await CodeSet.LoadAsync(request.Code, storage, request.Storage.Prefix, codeCacheFolder, cancellationToken).ConfigureAwait(false);
            _codeSets[codeKey] = code;
        }
        // Wren.Core is allowed too: a function that takes a CallContext ships as a Wren.Core adapter around the user's.
        var options = new WrenSerializerOptions { AllowedAssemblies = [.. code.UserAssemblies, typeof(CallContext).Assembly], Delegates = true };
        WrenStorage dataStore = DataStorage(request.Storage, storage);
        CallInvoker invoker = await FunctionAsync(request, storage, codeKey, options, cancellationToken).ConfigureAwait(false);
        byte[] data = request.Data ?? await storage.GetAsync(request.DataKey!, request.DataOffset, request.InputLengths.Sum(l => (long)l), cancellationToken).ConfigureAwait(false);

        var results = new CallResult[request.CallIds.Length];
        int completed = 0;
        long callStarted = 0;
        CallLog.Scope? currentLog = null;
        int answered = 0;
        var timeout = TimeSpan.FromSeconds(request.TimeoutSeconds);
        CancellationTokenSource? callCancellation = null;
        // A call of a speculative job also watches its own marker: a duplicate of it may answer first.
        var cancelWatch = new CancelWatch(storage, StorageKeys.Cancel(request.Storage.Prefix, request.ExecutorId, request.JobId),
            request.Speculative ? callId => StorageKeys.Call(request.Storage.Prefix, request.ExecutorId, request.JobId, callId, "cancel") : null, time);
        int currentCall = -1;
        using ITimer watchdog = time.CreateTimer(_ =>
        {
            long started = Volatile.Read(ref callStarted);
            if (started == 0) return;
            // A cancelled Map's marker reaches the running call through its token.
            cancelWatch.Poll(Volatile.Read(ref currentCall), () => CancelQuietly(Volatile.Read(ref callCancellation)));
            // A call that watches its CallContext token gets a warning shortly before it would be stopped.
            if (RemainingTime(started, timeout, deadline) <= StopWarning(timeout)) CancelQuietly(Volatile.Read(ref callCancellation));
            bool pastTimeout = time.GetElapsedTime(started) >= timeout;
            bool atDeadline = deadline is { } end && time.GetUtcNow() >= end - DeadlineMargin;
            if (!pastTimeout && !atDeadline) return;
            if (Interlocked.Exchange(ref answered, 1) != 0) return;
            giveUp(TimedOutResponse(request, results, Volatile.Read(ref completed), started, pastTimeout, Volatile.Read(ref currentLog)?.Tail()));
        }, null, WatchdogPeriod(timeout), WatchdogPeriod(timeout));

        var output = new ArrayBufferWriter<byte>(256);
        int offset = 0;
        int ran = 0;
        TimeSpan longest = TimeSpan.Zero;
        bool outOfResources = false;
        for (int i = 0; i < request.CallIds.Length && !outOfResources; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (cancelWatch.Cancelled) break;
            // Another call starts only if it fits before the deadline, judged by the longest call of this chunk so far
            // (twice it, for the variance): a call's timeout may be far longer than the calls really take.
            if (i > 0 && deadline is { } end && time.GetUtcNow() + 2 * longest >= end - DeadlineMargin) break;
            ran = i + 1;
            int callId = request.CallIds[i];
            ReadOnlyMemory<byte> input = data.AsMemory(offset, request.InputLengths[i]);
            offset += request.InputLengths[i];
            output.ResetWrittenCount();
            DateTime startedAt = time.GetUtcNow().UtcDateTime;
            bool cold = _cold;
            _cold = false;
            long callStart = time.GetTimestamp();
            using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Volatile.Write(ref callCancellation, cancellation);
            Volatile.Write(ref currentCall, callId);
            Volatile.Write(ref callStarted, callStart);
            RemoteError? error = null;
            string jobId = JobIds.Format(request.ExecutorId, request.JobId);
            using CallLog.Scope log = CallLog.Begin(jobId, callId);
            Volatile.Write(ref currentLog, log);
            CallContext.Current = new CallContext(dataStore, cancellation.Token, callId, request.Attempts is { } attempts && i < attempts.Length ? attempts[i] : 1, jobId,
                () => RemainingTime(callStart, timeout, deadline));
            try
            {
                await invoker.InvokeAsync(input, output).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                error = RemoteError.From(e);
                // A process that ran out of memory is not trusted with more calls: it answers, then makes way for a fresh one.
                if (e is OutOfMemoryException or InsufficientExecutionStackException) outOfResources = true;
            }
            finally
            {
                CallContext.Current = null;
            }
            Volatile.Write(ref callStarted, 0);
            Volatile.Write(ref callCancellation, null);
            if (time.GetElapsedTime(callStart) is var took && took > longest) longest = took;
            var stats = new CallStats
            {
                Started = startedAt,
                Ended = time.GetUtcNow().UtcDateTime,
                ColdStart = cold,
                WorkerId = workerId,
                BytesIn = input.Length,
                BytesOut = output.WrittenCount,
            };
            log.Dispose();
            results[i] = await ResultAsync(request, storage, callId, error, output, stats, cancellationToken).ConfigureAwait(false) with { LogTail = log.Tail() };
            if (request.StoreLogs && log.Text is { Length: > 0 } text)
                await storage.PutAsync(StorageKeys.Call(request.Storage.Prefix, request.ExecutorId, request.JobId, callId, "log"), System.Text.Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref completed, i + 1);
        }
        if (Interlocked.Exchange(ref answered, 1) != 0)
        {
            // The watchdog answered already and the worker is exiting; this answer would be a second one.
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        long peak = PeakMemory();
        for (int i = 0; i < ran; i++) results[i] = results[i] with { Stats = results[i].Stats! with { PeakMemoryBytes = peak } };
        for (int i = ran; i < results.Length; i++) results[i] = new CallResult { CallId = request.CallIds[i], Outcome = CallOutcome.NotRun };
        var response = new InvocationResponse { WorkerId = workerId, Calls = results, WorkerExiting = outOfResources };
        await StoreResponseAsync(request, response, cancellationToken).ConfigureAwait(false);
        return response;
    }

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

    private InvocationResponse TimedOutResponse(InvocationRequest request, CallResult[] results, int completed, long started, bool pastTimeout, string? logTail)
    {
        var calls = new CallResult[request.CallIds.Length];
        Array.Copy(results, calls, completed);
        var timeout = TimeSpan.FromSeconds(request.TimeoutSeconds);
        calls[completed] = new CallResult
        {
            CallId = request.CallIds[completed],
            Outcome = CallOutcome.TimedOut,
            Error = pastTimeout
                ? new RemoteError("Wren.Timeout", $"the call ran for more than its timeout of {timeout.TotalSeconds:0.###} s; the worker running it was stopped", null, null)
                : new RemoteError("Wren.Timeout", "the call was still running when the invocation reached its deadline (the Lambda function's timeout); the worker running it was stopped", null, null),
            Stats = new CallStats { Started = time.GetUtcNow().UtcDateTime - time.GetElapsedTime(started), Ended = time.GetUtcNow().UtcDateTime, WorkerId = workerId },
            LogTail = logTail,
        };
        for (int i = completed + 1; i < calls.Length; i++) calls[i] = new CallResult { CallId = request.CallIds[i], Outcome = CallOutcome.NotRun };
        return new InvocationResponse { WorkerId = workerId, Calls = calls, WorkerExiting = true };
    }

    private static async Task<CallResult> ResultAsync(InvocationRequest request, IObjectStorage storage, int callId, RemoteError? error, ArrayBufferWriter<byte> output, CallStats stats, CancellationToken cancellationToken)
    {
        if (error is not null) return new CallResult { CallId = callId, Outcome = CallOutcome.Failed, Error = error, Stats = stats };
        byte[] bytes = output.WrittenSpan.ToArray();
        // Small outputs stay in the response, stored whole or returned; only large ones get objects of their own.
        if (bytes.Length <= request.InlineOutputLimit)
            return new CallResult { CallId = callId, Outcome = CallOutcome.Succeeded, Output = bytes, Stats = stats };
        string key = StorageKeys.Call(request.Storage.Prefix, request.ExecutorId, request.JobId, callId, "output");
        await storage.PutAsync(key, bytes, cancellationToken).ConfigureAwait(false);
        return new CallResult { CallId = callId, Outcome = CallOutcome.Succeeded, OutputKey = key, Stats = stats };
    }

    private async Task<CallInvoker> FunctionAsync(InvocationRequest request, IObjectStorage storage, string codeKey, WrenSerializerOptions options, CancellationToken cancellationToken)
    {
        string jobKey = $"{request.ExecutorId}/{request.JobId}";
        if (_functions.TryGetValue(jobKey, out var cached) && cached.Key == codeKey) return cached.Invoker;
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
        if (_functions.Count > 64) _functions.Clear();
        _functions[jobKey] = (codeKey, invoker);
        return invoker;
    }

    private IObjectStorage Storage(StorageLocation location)
    {
        lock (_storages)
        {
            if (!_storages.TryGetValue(location, out IObjectStorage? storage)) _storages[location] = storage = openStorage(location);
            return storage;
        }
    }

    private static long PeakMemory()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim()) * 1024;
        }
        catch (IOException)
        {
        }
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
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

        public void Poll(int callId, Action cancel)
        {
            if (Cancelled)
            {
                cancel();
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
                        cancel();
                    }
                    else if (callKey is not null && callId >= 0 && await storage.SizeAsync(callKey(callId)).ConfigureAwait(false) is not null)
                    {
                        cancel();
                    }
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
