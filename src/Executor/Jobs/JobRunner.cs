using Microsoft.Extensions.Logging;
using Wren.Backends;
using Wren.Protocol;
using Wren.Serialization;
using Wren.Shipping;
using Wren.Storage;

namespace Wren.Jobs;

/// <summary>
/// Runs jobs on one backend: what every run shares (the backend, the code uploader, the log, the fallback, the clock)
/// and the steps that need no run's state (fitting the timeout, sharing large parts, bookkeeping writes). Each job's
/// scheduling is a <see cref="JobRun"/> of its own.
/// </summary>
internal sealed class JobRunner(IComputeBackend backend, CodeUploader uploader, ILogger logger, Func<JobRunner>? fallback = null, TimeProvider? time = null)
{
    /// <summary>The backend this runner invokes.</summary>
    public IComputeBackend Backend => backend;

    public CodeUploader Uploader => uploader;

    public ILogger Logger => logger;

    /// <summary>Where calls that outgrow this backend run again (AWS Batch), if anywhere.</summary>
    public Func<JobRunner>? Fallback => fallback;

    /// <summary>The clock of speculation's checks and of how long calls have run.</summary>
    public TimeProvider Time { get; } = time ?? TimeProvider.System;

    /// <summary>Where this runner's short jobs leave their record and stats (flushed when the executor is disposed).</summary>
    public JobBook Book { get; } = new(backend.Storage, backend.Location.Prefix, time ?? TimeProvider.System);

    private const int InlineFunctionLimit = 64 * 1024;

    /// <summary>Runs the job to its end: every call of it is answered through <paramref name="sink"/> exactly once.</summary>
    public Task RunAsync(JobSpec job, IJobSink sink, CancellationToken cancellationToken) =>
        new JobRun(this, job, sink).RunAsync(cancellationToken);

    /// <summary>
    /// A call's timeout that the backend can keep: with none asked for, the backend's own limit (a Lambda function's
    /// timeout); one asked for beyond that limit is refused, saying both numbers and the fix.
    /// </summary>
    public async Task<JobSpec> FitTimeoutAsync(JobSpec job, CancellationToken cancellationToken)
    {
        if (await backend.CallTimeLimitAsync(job.MemoryMb, cancellationToken).ConfigureAwait(false) is not { } limit) return job;
        if (!job.TimeoutGiven) return job with { Timeout = limit };
        // With BatchFallback a call that reaches the function's timeout runs again on Batch, with the time it asked for.
        if (job.Timeout <= limit || job.Fallback) return job;
        throw new WrenException($"MapOptions.Timeout is {job.Timeout.TotalSeconds:0.###} s, longer than the {backend.Name} function's timeout of {limit.TotalSeconds:0.###} s: "
            + $"raise the function's with `wren deploy-lambda --timeout {Math.Min(Backends.Lambda.LambdaLimits.MaxTimeoutSeconds, Math.Ceiling(job.Timeout.TotalSeconds))}`, or give a Timeout of at most {limit.TotalSeconds:0.###} s"
            + (job.Timeout > Backends.Lambda.LambdaLimits.MaxTimeout ? $" (over {Backends.Lambda.LambdaLimits.MaxTimeoutSeconds} s a Map runs on AWS Batch, once `wren deploy-batch` has set it up)." : "."));
    }

    /// <summary>How long a bookkeeping write may take before it is given up.</summary>
    private static readonly TimeSpan BookkeepingTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Writes a bookkeeping object (the job record, its stats, a cancel marker). The results are what matter: one that
    /// cannot be written is only missing (from `wren jobs`, or for a call that then runs on to its timeout), and fails no call.
    /// </summary>
    public Task KeepAsync(string key, byte[] bytes, CancellationToken cancellationToken) => KeepAsync(backend.Storage, key, bytes, cancellationToken);

    /// <inheritdoc cref="KeepAsync(string, byte[], CancellationToken)"/>
    public static async Task KeepAsync(IObjectStorage storage, string key, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(BookkeepingTimeout);
            await storage.PutAsync(key, bytes, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WrenException or OperationCanceledException or IOException or HttpRequestException or Amazon.Runtime.AmazonServiceException)
        {
        }
    }

    private static readonly WrenSerializerOptions RecordOptions = new() { AllowedAssemblies = [typeof(JobRecord).Assembly], RawBlocks = true };

    public static byte[] Record<T>(T record) => WrenSerializer.Serialize(record, RecordOptions);

    public static T ReadRecord<T>(byte[] bytes) => WrenSerializer.Deserialize<T>(bytes, RecordOptions);

    /// <summary>A job's stats as its folder keeps them, their columns packed.</summary>
    public static byte[] RecordStats(JobStats stats) => Record(stats.WithColumnsPacked());

    /// <summary>A job's stats from its folder, packed or (as earlier versions and pages store them) raw.</summary>
    public static JobStats ReadStats(byte[] bytes) => ReadRecord<JobStats>(bytes).WithColumnsUnpacked();

    public sealed record SharedParts(byte[]? Function, string? FunctionKey, string? DataKey, CodeManifest Code);

    /// <summary>Each code set's manifest, made once: a function's code list is one object for as long as the function lives.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<CodeAssembly>, CodeManifest> Manifests = new();

    /// <summary>Stores the function and the inputs once when they are too large to travel in every invocation.</summary>
    public async Task<SharedParts> ShareAsync(JobSpec job, CancellationToken cancellationToken)
    {
        string prefix = backend.Location.Prefix;
        string? functionKey = null;
        if (job.Function.Bytes.Length > InlineFunctionLimit)
        {
            functionKey = StorageKeys.Function(prefix, job.ExecutorId, job.JobId);
            await backend.Storage.PutAsync(functionKey, job.Function.Bytes, cancellationToken).ConfigureAwait(false);
        }
        string? dataKey = null;
        if (job.Inputs.TotalBytes > (job.Detached ? backend.MaxDetachedInlineBytes : backend.MaxInlineBytes))
        {
            dataKey = StorageKeys.Data(prefix, job.ExecutorId, job.JobId);
            using Stream inputs = job.Inputs.OpenRead();
            await backend.Storage.PutAsync(dataKey, inputs, cancellationToken).ConfigureAwait(false);
        }
        CodeManifest code = Manifests.GetValue(job.Function.Code, static files => CodeManifest.Of(files.Select(c => new CodeFile(c.Name, c.Hash))));
        return new SharedParts(functionKey is null ? job.Function.Bytes : null, functionKey, dataKey, code);
    }

    /// <summary>A job's sink that logs each call that fails for good (not those the Map's cancellation ended).</summary>
    public sealed class LoggedSink(IJobSink inner, ILogger logger, string jobName) : IJobSink
    {
        public void Invoked(int callId, int attempt) => inner.Invoked(callId, attempt);
        public void Running(int callId) => inner.Running(callId);
        public void Succeeded(int callId, ReadOnlySpan<byte> output, CallStats? stats) => inner.Succeeded(callId, output, stats);
        public void Returned(int callId, ReadOnlySpan<byte> output, InvocationResponse response, int index, bool billed) => inner.Returned(callId, output, response, index, billed);

        private Exception? _lastLogged;

        public void Failed(int callId, Exception error, CallStats? stats)
        {
            // A failure of the whole job reaches every call as one exception: it is logged once.
            if (error is not OperationCanceledException && !ReferenceEquals(Interlocked.Exchange(ref _lastLogged, error), error))
                WrenTelemetry.CallFailed(logger, jobName, callId, error.Message);
            inner.Failed(callId, error, stats);
        }

        public void Record(int callId, JobStats.Builder stats, int row) => inner.Record(callId, stats, row);
    }

    /// <summary>
    /// A job's sink seen through a subset of its calls: call i of the subset is call calls[i] of the job, and its
    /// attempts follow those the job made.
    /// </summary>
    public sealed class SubsetSink(IJobSink inner, int[] calls, int[] attemptsBefore) : IJobSink
    {
        private readonly int[] _before = [.. calls.Select(id => attemptsBefore[id])];

        public void Invoked(int callId, int attempt) => inner.Invoked(calls[callId], _before[callId] + attempt);
        public void Running(int callId) => inner.Running(calls[callId]);
        public void Succeeded(int callId, ReadOnlySpan<byte> output, CallStats? stats) => inner.Succeeded(calls[callId], output, stats);
        public void Returned(int callId, ReadOnlySpan<byte> output, InvocationResponse response, int index, bool billed) => inner.Returned(calls[callId], output, response, index, billed);
        public void Failed(int callId, Exception error, CallStats? stats) => inner.Failed(calls[callId], error, stats);
        public void Record(int callId, JobStats.Builder stats, int row) => inner.Record(calls[callId], stats, row);
    }

    /// <summary>A call's output: in its result, or (when large) where its worker stored it.</summary>
    public static async ValueTask<byte[]> OutputAsync(IObjectStorage storage, CallResult result, CancellationToken cancellationToken) =>
        result.Output ?? await storage.GetAsync(result.OutputKey!, cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <summary>The failure of a call its worker stopped: past its own timeout, or at the invocation's deadline.</summary>
    public static WrenTimeoutException TimedOut(CallResult result, int inputIndex, TimeSpan timeout) =>
        new(inputIndex, timeout, atInvocationDeadline: result.Error?.Message.Contains("deadline", StringComparison.Ordinal) == true);

    public static RemoteException ToException(RemoteError error, int inputIndex, string? logTail = null, int attempts = 1) =>
        new(error.Type, error.Message, error.StackTrace, inputIndex, error.Inner is null ? null : ToException(error.Inner, inputIndex), logTail, attempts);
}
