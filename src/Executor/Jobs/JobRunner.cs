using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Wren.Backends;
using Wren.Protocol;
using Wren.Serialization;
using Wren.Shipping;
using Wren.Storage;

namespace Wren.Jobs;

/// <summary>
/// Runs a job on a backend: ships the code, the function and the inputs, invokes chunks with at most the allowed
/// concurrency, and turns each answer into results. A chunk whose worker died is tried again (up to the retries);
/// calls a worker did not reach are sent again without counting as a try. Every call ends exactly once. Each job is
/// traced (<see cref="WrenTelemetry"/>) and its events logged.
/// </summary>
internal sealed class JobRunner(IComputeBackend backend, CodeUploader uploader, ILogger logger, Func<JobRunner>? fallback = null)
{
    /// <summary>The backend this runner invokes.</summary>
    public IComputeBackend Backend => backend;

    private const int InlineFunctionLimit = 64 * 1024;

    public async Task RunAsync(JobSpec job, IJobSink sink, CancellationToken cancellationToken)
    {
        int total = job.Lengths.Length;
        string jobName = job.Name;
        using Activity? activity = WrenTelemetry.Source.StartActivity("Wren.Map");
        activity?.SetTag("wren.job_id", jobName).SetTag("wren.function", job.FunctionName).SetTag("wren.calls", total).SetTag("wren.backend", backend.Name);
        // The original job's failures are logged once; a fallback job's calls are the same calls.
        if (job.InputIndexes is null) sink = new LoggedSink(sink, logger, jobName);
        WrenTelemetry.MapStarted(logger, jobName, job.FunctionName, total, backend.Name);
        long started = Stopwatch.GetTimestamp();
        var fallbackCalls = new List<int>();
        var attempts = new int[total];
        var failures = new int[total];
        var progress = new ProgressCounter(job.Progress, total);
        var queue = Channel.CreateUnbounded<int[]>();
        var calls = new CallTracker(total, () => queue.Writer.TryComplete());
        try
        {
            job = await FitTimeoutAsync(job, cancellationToken).ConfigureAwait(false);
            job = job with { Pricing = await backend.PricingAsync(job.MemoryMb, cancellationToken).ConfigureAwait(false) };
            await uploader.EnsureStoredAsync(job.Function.Code, cancellationToken).ConfigureAwait(false);
            await KeepAsync(StorageKeys.JobRecord(backend.Location.Prefix, job.ExecutorId, job.JobId), Record(new JobRecord
            {
                ExecutorId = job.ExecutorId,
                JobId = job.JobId,
                CreatedAt = job.SubmittedAt,
                Calls = total,
                Function = job.FunctionName,
                Backend = backend.Name,
                CodeHashes = [.. job.Function.Code.Select(c => c.Hash)],
            }), cancellationToken).ConfigureAwait(false);
            var shared = await ShareAsync(job, cancellationToken).ConfigureAwait(false);
            long[] offsets = new long[total + 1];
            for (int i = 0; i < total; i++) offsets[i + 1] = offsets[i] + job.Lengths[i];

            for (int start = 0; start < total; start += job.ChunkSize)
                queue.Writer.TryWrite([.. Enumerable.Range(start, Math.Min(job.ChunkSize, total - start))]);
            bool Resolve(int callId)
            {
                if (!calls.Resolve(callId)) return false;
                // The slower run of a duplicated call is told to stop: its answer will be dropped.
                if (calls.WasDuplicated(callId))
                    _ = KeepAsync(StorageKeys.Call(backend.Location.Prefix, job.ExecutorId, job.JobId, callId, "cancel"), "duplicate answered"u8.ToArray(), CancellationToken.None);
                return true;
            }

            using var gate = new SemaphoreSlim(job.Concurrency);
            var running = new List<Task>();
            if (total == 0) queue.Writer.TryComplete();
            using var monitor = new CancellationTokenSource();
            Task speculation = job.Speculation ? SpeculateAsync(calls, chunk => queue.Writer.TryWrite(chunk), monitor.Token) : Task.CompletedTask;
            await foreach (int[] chunk in queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                int[] pending = [.. chunk.Where(id => !calls.IsResolved(id))];
                if (pending.Length == 0) continue;
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                running.Add(Task.Run(async () =>
                {
                    try
                    {
                        await RunChunkAsync(job, shared, offsets, pending, new CallCounts(attempts, failures, calls), sink, progress, Resolve, requeue => queue.Writer.TryWrite(requeue), fallbackCalls, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }, CancellationToken.None));
            }
            await monitor.CancelAsync().ConfigureAwait(false);
            await speculation.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Task.WhenAll(running).ConfigureAwait(false);
            if (fallbackCalls.Count > 0)
            {
                WrenTelemetry.FallingBack(logger, jobName, fallbackCalls.Count, backend.Name);
                await RunFallbackAsync(job, [.. fallbackCalls.Order()], offsets, sink, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            if (e is not OperationCanceledException) WrenTelemetry.MapFailed(logger, jobName, e);
            // Calls still running hear of it through this marker; one that cannot be written leaves them to their timeout.
            if (e is OperationCanceledException)
                await KeepAsync(StorageKeys.Cancel(backend.Location.Prefix, job.ExecutorId, job.JobId), "cancelled"u8.ToArray(), CancellationToken.None).ConfigureAwait(false);
            Exception error = e is OperationCanceledException
                ? new OperationCanceledException("The executor was disposed, or the Map cancelled, before the call finished.", e)
                : e is WrenException ? e : new WrenException($"The Map failed before its calls could run: {e.Message}", e);
            for (int callId = 0; callId < total; callId++)
                if (calls.Resolve(callId)) sink.Failed(callId, error, null);
        }
        // Every call's stats stay with the job, for `wren jobs` and `wren plot`.
        JobCost cost = job.Meter.Snapshot();
        CallRecord[] records = [.. Enumerable.Range(0, total).Select(sink.Record)];
        int succeeded = records.Count(r => r.Status == CallStatus.Succeeded);
        WrenTelemetry.MapEnded(logger, jobName, succeeded, total - succeeded, Stopwatch.GetElapsedTime(started).TotalSeconds, cost);
        activity?.SetTag("wren.succeeded", succeeded).SetTag("wren.failed", total - succeeded).SetTag("wren.invocations", cost.Invocations)
            .SetTag("wren.cost_usd_estimate", (double)cost.EstimatedUsd)
            .SetStatus(succeeded == total ? ActivityStatusCode.Ok : ActivityStatusCode.Error, succeeded == total ? null : $"{total - succeeded} of {total} calls failed");
        var stats = new JobStats
        {
            JobId = job.JobId,
            Calls = records,
            Duplicates = calls.Duplicates,
            Invocations = cost.Invocations,
            BilledGbSeconds = cost.BilledGbSeconds,
            EstimatedUsd = (double)cost.EstimatedUsd,
        };
        await KeepAsync(StorageKeys.JobStats(backend.Location.Prefix, job.ExecutorId, job.JobId), Record(stats), CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Once three quarters of the calls are done, runs again each call that has run longer than three times the median
    /// of the finished ones (and at least 2 s): whichever run answers first resolves it.
    /// </summary>
    private static async Task SpeculateAsync(CallTracker calls, Action<int[]> enqueue, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            foreach (int callId in calls.Stragglers(SpeculationShare, SpeculationFactor, SpeculationFloor)) enqueue([callId]);
    }

    private const double SpeculationShare = 0.75;
    private const double SpeculationFactor = 3;
    private static readonly TimeSpan SpeculationFloor = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A call's timeout that the backend can keep: with none asked for, the backend's own limit (a Lambda function's
    /// timeout); one asked for beyond that limit is refused, saying both numbers and the fix.
    /// </summary>
    private async Task<JobSpec> FitTimeoutAsync(JobSpec job, CancellationToken cancellationToken)
    {
        if (await backend.CallTimeLimitAsync(cancellationToken).ConfigureAwait(false) is not { } limit) return job;
        if (!job.TimeoutGiven) return job with { Timeout = limit };
        // With BatchFallback a call that reaches the function's timeout runs again on Batch, with the time it asked for.
        if (job.Timeout <= limit || job.Fallback) return job;
        throw new WrenException($"MapOptions.Timeout is {job.Timeout.TotalSeconds:0.###} s, longer than the {backend.Name} function's timeout of {limit.TotalSeconds:0.###} s: "
            + $"raise the function's with `wren deploy-lambda --timeout {Math.Min(900, Math.Ceiling(job.Timeout.TotalSeconds))}`, or give a Timeout of at most {limit.TotalSeconds:0.###} s"
            + (job.Timeout.TotalSeconds > 900 ? " (over 900 s a Map runs on AWS Batch, once `wren deploy-batch` has set it up)." : "."));
    }

    /// <summary>How long a bookkeeping write may take before it is given up.</summary>
    private static readonly TimeSpan BookkeepingTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Writes a bookkeeping object (the job record, its stats, a cancel marker). The results are what matter: one that
    /// cannot be written is only missing (from `wren jobs`, or for a call that then runs on to its timeout), and fails no call.
    /// </summary>
    private async Task KeepAsync(string key, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(BookkeepingTimeout);
            await backend.Storage.PutAsync(key, bytes, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WrenException or OperationCanceledException or IOException or HttpRequestException or Amazon.Runtime.AmazonServiceException)
        {
        }
    }

    private static readonly WrenSerializerOptions RecordOptions = new() { AllowedAssemblies = [typeof(JobRecord).Assembly] };

    private static byte[] Record<T>(T record) => WrenSerializer.Serialize(record, RecordOptions);

    public static T ReadRecord<T>(byte[] bytes) => WrenSerializer.Deserialize<T>(bytes, RecordOptions);

    private sealed record SharedParts(byte[]? Function, string? FunctionKey, string? DataKey, CodeFile[] Code);

    /// <summary>Stores the function and the inputs once when they are too large to travel in every invocation.</summary>
    private async Task<SharedParts> ShareAsync(JobSpec job, CancellationToken cancellationToken)
    {
        string prefix = backend.Location.Prefix;
        string? functionKey = null;
        if (job.Function.Bytes.Length > InlineFunctionLimit)
        {
            functionKey = StorageKeys.Function(prefix, job.ExecutorId, job.JobId);
            await backend.Storage.PutAsync(functionKey, job.Function.Bytes, cancellationToken).ConfigureAwait(false);
        }
        string? dataKey = null;
        if (job.Data.Length > backend.MaxInlineBytes)
        {
            dataKey = StorageKeys.Data(prefix, job.ExecutorId, job.JobId);
            await backend.Storage.PutAsync(dataKey, job.Data, cancellationToken).ConfigureAwait(false);
        }
        CodeFile[] code = [.. job.Function.Code.Select(c => new CodeFile(c.Name, c.Hash))];
        return new SharedParts(functionKey is null ? job.Function.Bytes : null, functionKey, dataKey, code);
    }

    /// <summary>Per call: invocations made (every run), runs that threw, and who is running and resolved.</summary>
    private sealed record CallCounts(int[] Attempts, int[] Failures, CallTracker Tracker);

    private async Task RunChunkAsync(JobSpec job, SharedParts shared, long[] offsets, int[] chunk, CallCounts counts, IJobSink sink,
        ProgressCounter progress, Func<int, bool> resolve, Action<int[]> requeue, List<int> fallbackCalls, CancellationToken cancellationToken)
    {
        int[] attempts = counts.Attempts;
        foreach (int callId in chunk) sink.Invoked(callId, ++attempts[callId]);
        using Activity? activity = WrenTelemetry.Source.StartActivity("Wren.Invoke", ActivityKind.Client);
        activity?.SetTag("wren.backend", backend.Name).SetTag("wren.calls", chunk.Length).SetTag("wren.first_call", job.InputIndexOf(chunk[0]));
        progress.Submitted(chunk.Length);
        InvocationOutcome outcome;
        try
        {
            string? responseKey = backend.ResultsThroughStorage
                ? StorageKeys.Call(backend.Location.Prefix, job.ExecutorId, job.JobId, chunk[0], $"response-{attempts[chunk[0]]}")
                : null;
            InvocationRequest request = Request(job, shared, offsets, chunk) with
            {
                ResponseKey = responseKey,
                StoreLogs = backend.StoresCallLogs,
                Attempts = chunk.Any(id => attempts[id] > 1) ? [.. chunk.Select(id => attempts[id])] : null,
            };
            var settings = new InvocationSettings(job.MemoryMb, job.Timeout, chunk.Length, responseKey, job.Gpus,
                StorageKeys.Job(backend.Location.Prefix, job.ExecutorId, job.JobId));
            outcome = await backend.InvokeAsync(WrenProtocol.Wrap(request), settings, () =>
            {
                foreach (int callId in chunk)
                {
                    sink.Running(callId);
                    counts.Tracker.Started(callId);
                }
                progress.Running(chunk.Length);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            outcome = new InvocationOutcome.Failed(e is WrenException ? e : new WrenException($"The invocation could not be made: {e.Message}", e));
        }

        if (outcome is not InvocationOutcome.Failed) job.Meter.Invoked(backend.Name, job.Pricing);
        activity?.SetTag("wren.outcome", outcome.GetType().Name.ToLowerInvariant());
        if (outcome is not InvocationOutcome.Answered) activity?.SetStatus(ActivityStatusCode.Error, outcome.ToString());
        switch (outcome)
        {
            case InvocationOutcome.Answered answered:
                await AcceptAsync(job, answered, chunk, counts, sink, progress, resolve, requeue, fallbackCalls, cancellationToken).ConfigureAwait(false);
                break;
            case InvocationOutcome.Rejected or InvocationOutcome.Failed:
                Exception error = outcome switch
                {
                    InvocationOutcome.Failed failed => failed.Error,
                    InvocationOutcome.Rejected { ErrorType: WorkerErrors.ProtocolMismatch } mismatch => new ProtocolMismatchException(mismatch.Message),
                    InvocationOutcome.Rejected rejected => new WrenException($"The {backend.Name} worker rejected the invocation ({rejected.ErrorType}): {rejected.Message}"),
                    _ => throw new InvalidOperationException(),
                };
                foreach (int callId in chunk)
                {
                    if (!resolve(callId)) continue;
                    sink.Failed(callId, error, null);
                    progress.Finished(succeeded: false);
                }
                break;
            case InvocationOutcome.Lost lost:
                var again = new List<int>();
                foreach (int callId in chunk)
                {
                    counts.Tracker.Stopped(callId);
                    if (counts.Tracker.IsResolved(callId)) continue;
                    if (attempts[callId] <= job.Retries)
                    {
                        again.Add(callId);
                        continue;
                    }
                    if (!resolve(callId)) continue;
                    sink.Failed(callId, new WorkerLostException(job.InputIndexOf(callId), attempts[callId], lost.Reason), null);
                    progress.Finished(succeeded: false);
                }
                progress.Requeued(again.Count);
                WrenTelemetry.InvocationLost(logger, job.Name, chunk.Length, backend.Name, lost.Reason, again.Count);
                if (again.Count > 0) requeue([.. again]);
                break;
        }
    }

    private InvocationRequest Request(JobSpec job, SharedParts shared, long[] offsets, int[] chunk)
    {
        bool contiguous = chunk[^1] - chunk[0] == chunk.Length - 1;
        int[] lengths = [.. chunk.Select(id => job.Lengths[id])];
        byte[]? data = null;
        if (shared.DataKey is null || !contiguous)
        {
            data = new byte[lengths.Sum()];
            int at = 0;
            foreach (int callId in chunk)
            {
                job.Data.AsSpan((int)offsets[callId], job.Lengths[callId]).CopyTo(data.AsSpan(at));
                at += job.Lengths[callId];
            }
        }
        return new InvocationRequest
        {
            ExecutorId = job.ExecutorId,
            JobId = job.JobId,
            Storage = backend.Location,
            Function = shared.Function,
            FunctionKey = shared.FunctionKey,
            Code = shared.Code,
            CallIds = chunk,
            Data = data,
            DataKey = data is null ? shared.DataKey : null,
            DataOffset = data is null ? offsets[chunk[0]] : 0,
            InputLengths = lengths,
            TimeoutSeconds = job.Timeout.TotalSeconds,
            Parallelism = job.WorkerParallelism,
            Speculative = job.Speculation,
        };
    }

    private async Task AcceptAsync(JobSpec job, InvocationOutcome.Answered answered, int[] chunk, CallCounts counts, IJobSink sink, ProgressCounter progress,
        Func<int, bool> resolve, Action<int[]> requeue, List<int> fallbackCalls, CancellationToken cancellationToken)
    {
        (_, InvocationResponse? response) = WrenProtocol.Unwrap<InvocationResponse>(answered.Envelope);
        if (response is null) throw new ProtocolMismatchException("The worker answered in another protocol version; run `wren deploy-lambda` to deploy the runtime that matches this client.");
        job.Meter.Billed(job.Pricing, response.Calls.Sum(c => c.Stats?.BilledMs ?? 0));
        // Where nothing is billed (local workers), no call has a billed time.
        if (job.Pricing is null) response = response with { Calls = [.. response.Calls.Select(c => c.Stats is { } s ? c with { Stats = s with { BilledMs = 0 } } : c)] };
        var notRun = new List<int>();
        foreach (CallResult result in response.Calls)
        {
            int callId = result.CallId;
            counts.Tracker.Stopped(callId);
            // A duplicated call's slower run: the other one resolved it already.
            if (counts.Tracker.IsResolved(callId)) continue;
            if (job.Fallback && fallback is not null && OutgrewTheBackend(result))
            {
                if (resolve(callId)) lock (fallbackCalls) fallbackCalls.Add(callId);
                continue;
            }
            switch (result.Outcome)
            {
                case CallOutcome.Succeeded:
                    byte[] output = result.Output ?? await backend.Storage.GetAsync(result.OutputKey!, cancellationToken: cancellationToken).ConfigureAwait(false);
                    if (!resolve(callId)) break;
                    if (result.Stats is { } stats) counts.Tracker.Finished(stats.Ended - stats.Started);
                    sink.Succeeded(callId, output, result.Stats);
                    progress.Finished(succeeded: true);
                    break;
                case CallOutcome.Failed:
                    int failed = Interlocked.Increment(ref counts.Failures[callId]);
                    RemoteException error = ToException(result.Error!, job.InputIndexOf(callId), result.LogTail ?? answered.LogTail, failed);
                    if (failed <= job.RetryFailedCalls && (job.RetryIf?.Invoke(error) ?? true))
                    {
                        // Run it again: a retry is a new attempt, with the same input.
                        WrenTelemetry.CallRetried(logger, job.Name, job.InputIndexOf(callId), error.RemoteType, failed);
                        notRun.Add(callId);
                        break;
                    }
                    if (!resolve(callId)) break;
                    if (result.Stats is { } failedStats) counts.Tracker.Finished(failedStats.Ended - failedStats.Started);
                    sink.Failed(callId, error, result.Stats);
                    progress.Finished(succeeded: false);
                    break;
                case CallOutcome.TimedOut:
                    if (!resolve(callId)) break;
                    bool atDeadline = result.Error?.Message.Contains("deadline", StringComparison.Ordinal) == true;
                    sink.Failed(callId, new WrenTimeoutException(job.InputIndexOf(callId), job.Timeout, atDeadline), result.Stats);
                    progress.Finished(succeeded: false);
                    break;
                default:
                    notRun.Add(callId);
                    break;
            }
        }
        var answeredIds = response.Calls.Select(c => c.CallId).ToHashSet();
        notRun.AddRange(chunk.Where(id => !answeredIds.Contains(id) && !counts.Tracker.IsResolved(id)));
        foreach (int id in chunk.Where(id => !answeredIds.Contains(id))) counts.Tracker.Stopped(id);
        progress.Requeued(notRun.Count);
        if (notRun.Count > 0) requeue([.. notRun]);
    }

    /// <summary>A call that needs more than this backend gives: it ran out of time or memory.</summary>
    private static bool OutgrewTheBackend(CallResult result) =>
        result.Outcome == CallOutcome.TimedOut || result.Outcome == CallOutcome.Failed && result.Error?.Type == typeof(OutOfMemoryException).FullName;

    /// <summary>Runs the calls that outgrew this backend again on the fallback, with four times the time and twice the memory.</summary>
    private async Task RunFallbackAsync(JobSpec job, int[] calls, long[] offsets, IJobSink sink, CancellationToken cancellationToken)
    {
        JobRunner runner = fallback!();
        byte[] data = [.. calls.SelectMany(id => job.Data.AsSpan((int)offsets[id], job.Lengths[id]).ToArray())];
        JobSpec widened = job with
        {
            JobId = job.JobId + "b",
            Data = data,
            Lengths = [.. calls.Select(id => job.Lengths[id])],
            Timeout = TimeSpan.FromTicks(Math.Max(job.Timeout.Ticks * 4, TimeSpan.FromHours(1).Ticks)),
            MemoryMb = Math.Max(job.MemoryMb * 2, 4096),
            ChunkSize = 1,
            Concurrency = runner.Backend.DefaultConcurrency,
            Fallback = false,
            InputIndexes = [.. calls.Select(job.InputIndexOf)],
        };
        await runner.RunAsync(widened, new SubsetSink(sink, calls), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A job's sink that logs each call that fails for good (not those the Map's cancellation ended).</summary>
    private sealed class LoggedSink(IJobSink inner, ILogger logger, string jobName) : IJobSink
    {
        public void Invoked(int callId, int attempt) => inner.Invoked(callId, attempt);
        public void Running(int callId) => inner.Running(callId);
        public void Succeeded(int callId, byte[] output, CallStats? stats) => inner.Succeeded(callId, output, stats);

        private Exception? _lastLogged;

        public void Failed(int callId, Exception error, CallStats? stats)
        {
            // A failure of the whole job reaches every call as one exception: it is logged once.
            if (error is not OperationCanceledException && !ReferenceEquals(Interlocked.Exchange(ref _lastLogged, error), error))
                WrenTelemetry.CallFailed(logger, jobName, callId, error.Message);
            inner.Failed(callId, error, stats);
        }

        public CallRecord Record(int callId) => inner.Record(callId);
    }

    /// <summary>A job's sink seen through a subset of its calls: call i of the subset is call calls[i] of the job.</summary>
    private sealed class SubsetSink(IJobSink inner, int[] calls) : IJobSink
    {
        public void Invoked(int callId, int attempt) => inner.Invoked(calls[callId], attempt);
        public void Running(int callId) => inner.Running(calls[callId]);
        public void Succeeded(int callId, byte[] output, CallStats? stats) => inner.Succeeded(calls[callId], output, stats);
        public void Failed(int callId, Exception error, CallStats? stats) => inner.Failed(calls[callId], error, stats);
        public CallRecord Record(int callId) => inner.Record(calls[callId]) with { CallId = callId };
    }

    private static RemoteException ToException(RemoteError error, int inputIndex, string? logTail = null, int attempts = 1) =>
        new(error.Type, error.Message, error.StackTrace, inputIndex, error.Inner is null ? null : ToException(error.Inner, inputIndex), logTail, attempts);
}
