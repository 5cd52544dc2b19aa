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
        var outgrown = new List<(int CallId, bool OutOfMemory)>();
        var attempts = new int[total];
        var failures = new int[total];
        var progress = new ProgressCounter(job.Progress, total);
        var queue = Channel.CreateUnbounded<int[]>();
        var calls = new CallTracker(total, () => queue.Writer.TryComplete());
        try
        {
            job = job with { MemoryMb = await backend.FitMemoryAsync(job.MemoryMb, job.MemoryGiven, cancellationToken).ConfigureAwait(false) };
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
                CodeNames = [.. job.Function.Code.Select(c => c.Name)],
                Detached = job.Detached,
                ResultType = job.ResultType,
                RetryFailedCalls = job.RetryFailedCalls,
                TimeoutSeconds = job.Timeout.TotalSeconds,
                ChunkSize = job.ChunkSize,
            }), cancellationToken).ConfigureAwait(false);
            var shared = await ShareAsync(job, cancellationToken).ConfigureAwait(false);
            long[] offsets = new long[total + 1];
            for (int i = 0; i < total; i++) offsets[i + 1] = offsets[i] + job.Lengths[i];

            for (int start = 0; start < total; start += job.ChunkSize)
                queue.Writer.TryWrite([.. Enumerable.Range(start, Math.Min(job.ChunkSize, total - start))]);
            int unsubmitted = (total + job.ChunkSize - 1) / job.ChunkSize;
            if (unsubmitted == 0) job.Submitted?.TrySetResult();
            Action accepted = () =>
            {
                if (Interlocked.Decrement(ref unsubmitted) == 0) job.Submitted?.TrySetResult();
            };
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
                        await RunChunkAsync(job, shared, offsets, pending, new CallCounts(attempts, failures, calls, accepted), sink, progress, Resolve, requeue => queue.Writer.TryWrite(requeue), outgrown, cancellationToken).ConfigureAwait(false);
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
            if (outgrown.Count > 0) await RunOutgrownAsync(job, outgrown, offsets, attempts, sink, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            job.Submitted?.TrySetResult();
            if (e is not OperationCanceledException) WrenTelemetry.MapFailed(logger, jobName, e);
            // Calls still running hear of it through this marker; one that cannot be written leaves them to their timeout.
            // A detached job is stopped only by its own Map's token, not by its client going away.
            bool abandoned = e is OperationCanceledException && job.Detached && !job.MapCancellation.IsCancellationRequested;
            if (e is OperationCanceledException && !abandoned)
                await KeepAsync(StorageKeys.Cancel(backend.Location.Prefix, job.ExecutorId, job.JobId), "cancelled"u8.ToArray(), CancellationToken.None).ConfigureAwait(false);
            Exception error = abandoned
                ? new OperationCanceledException($"The executor was disposed before the call finished; the detached job runs on: attach to {jobName} with AttachAsync.", e)
                : e is OperationCanceledException
                ? new OperationCanceledException("The executor was disposed, or the Map cancelled, before the call finished.", e)
                : e is WrenException ? e : new WrenException($"The Map failed before its calls could run: {e.Message}", e);
            for (int callId = 0; callId < total; callId++)
                if (calls.Resolve(callId)) sink.Failed(callId, error, null);
            // The job has not ended: no stats, which would tell a process attaching that it has.
            if (abandoned) return;
        }
        // Every call's stats stay with the job, for `wren jobs` and `wren plot`.
        job.Submitted?.TrySetResult();
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
        if (await backend.CallTimeLimitAsync(job.MemoryMb, cancellationToken).ConfigureAwait(false) is not { } limit) return job;
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
        if (job.Data.Length > (job.Detached ? backend.MaxDetachedInlineBytes : backend.MaxInlineBytes))
        {
            dataKey = StorageKeys.Data(prefix, job.ExecutorId, job.JobId);
            await backend.Storage.PutAsync(dataKey, job.Data, cancellationToken).ConfigureAwait(false);
        }
        CodeFile[] code = [.. job.Function.Code.Select(c => new CodeFile(c.Name, c.Hash))];
        return new SharedParts(functionKey is null ? job.Function.Bytes : null, functionKey, dataKey, code);
    }

    /// <summary>Per call: invocations made (every run), runs that threw, and who is running and resolved.</summary>
    private sealed record CallCounts(int[] Attempts, int[] Failures, CallTracker Tracker, Action Accepted);

    private async Task RunChunkAsync(JobSpec job, SharedParts shared, long[] offsets, int[] chunk, CallCounts counts, IJobSink sink,
        ProgressCounter progress, Func<int, bool> resolve, Action<int[]> requeue, List<(int, bool)> outgrown, CancellationToken cancellationToken)
    {
        int[] attempts = counts.Attempts;
        foreach (int callId in chunk) sink.Invoked(callId, ++attempts[callId]);
        using Activity? activity = WrenTelemetry.Source.StartActivity("Wren.Invoke", ActivityKind.Client);
        activity?.SetTag("wren.backend", backend.Name).SetTag("wren.calls", chunk.Length).SetTag("wren.first_call", job.InputIndexOf(chunk[0]));
        progress.Submitted(chunk.Length);
        InvocationOutcome outcome;
        try
        {
            string? responseKey = backend.ResultsThroughStorage || job.Detached
                ? StorageKeys.Call(backend.Location.Prefix, job.ExecutorId, job.JobId, chunk[0], $"response-{attempts[chunk[0]]}")
                : null;
            InvocationRequest request = Request(job, shared, offsets, chunk) with
            {
                ResponseKey = responseKey,
                StoreLogs = backend.StoresCallLogs,
                Attempts = chunk.Any(id => attempts[id] > 1) ? [.. chunk.Select(id => attempts[id])] : null,
            };
            var settings = new InvocationSettings(job.MemoryMb, job.Timeout, chunk.Length, responseKey, job.Gpus,
                StorageKeys.Job(backend.Location.Prefix, job.ExecutorId, job.JobId))
            {
                Detached = job.Detached,
                // Only a chunk's first invocation counts towards the job's submission.
                Accepted = job.Detached && chunk.All(id => attempts[id] == 1) ? counts.Accepted : null,
            };
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
                await AcceptAsync(job, answered, chunk, counts, sink, progress, resolve, requeue, outgrown, cancellationToken).ConfigureAwait(false);
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
        Func<int, bool> resolve, Action<int[]> requeue, List<(int, bool)> outgrown, CancellationToken cancellationToken)
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
            if (job.Fallback && Outgrew(result) is { } outOfMemory && (fallback is not null || outOfMemory && backend.LargerMemory(job.MemoryMb) is not null))
            {
                if (resolve(callId)) lock (outgrown) outgrown.Add((callId, outOfMemory));
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

    /// <summary>Whether a call needed more than it got: true if memory, false if time; null if neither.</summary>
    private static bool? Outgrew(CallResult result) =>
        result.Outcome == CallOutcome.TimedOut ? false
        : result.Outcome == CallOutcome.Failed && result.Error?.Type == typeof(OutOfMemoryException).FullName ? true
        : null;

    /// <summary>
    /// Runs again the calls that outgrew this job: those out of memory at the backend's next size up while there is
    /// one (that job steps up again if it must), the rest on the fallback backend with more time and memory.
    /// </summary>
    private async Task RunOutgrownAsync(JobSpec job, List<(int CallId, bool OutOfMemory)> outgrown, long[] offsets, int[] attempts, IJobSink sink, CancellationToken cancellationToken)
    {
        int? larger = backend.LargerMemory(job.MemoryMb);
        int[] stepUp = [.. outgrown.Where(o => o.OutOfMemory && larger is not null).Select(o => o.CallId).Order()];
        int[] elsewhere = [.. outgrown.Select(o => o.CallId).Except(stepUp).Order()];
        var runs = new List<Task>();
        if (stepUp.Length > 0)
        {
            WrenTelemetry.SteppingUp(logger, job.Name, stepUp.Length, job.MemoryMb, larger!.Value);
            JobSpec bigger = Subset(job, stepUp, offsets, $"m{larger}") with { MemoryMb = larger.Value, MemoryGiven = true, ChunkSize = job.ChunkSize };
            runs.Add(RunAsync(bigger, new SubsetSink(sink, stepUp, attempts), cancellationToken));
        }
        if (elsewhere.Length > 0)
        {
            WrenTelemetry.FallingBack(logger, job.Name, elsewhere.Length, backend.Name);
            JobRunner runner = fallback!();
            JobSpec widened = Subset(job, elsewhere, offsets, "b") with
            {
                Timeout = TimeSpan.FromTicks(Math.Max(job.Timeout.Ticks * 4, TimeSpan.FromHours(1).Ticks)),
                MemoryMb = Math.Max(job.MemoryMb * 2, 4096),
                ChunkSize = 1,
                Concurrency = runner.Backend.DefaultConcurrency,
                Fallback = false,
            };
            runs.Add(runner.RunAsync(widened, new SubsetSink(sink, elsewhere, attempts), cancellationToken));
        }
        await Task.WhenAll(runs).ConfigureAwait(false);
    }

    /// <summary>A job of some of this job's calls, with their inputs, as its own job (its id suffixed) of the same Map.</summary>
    private static JobSpec Subset(JobSpec job, int[] calls, long[] offsets, string suffix) => job with
    {
        JobId = job.JobId + suffix,
        Data = [.. calls.SelectMany(id => job.Data.AsSpan((int)offsets[id], job.Lengths[id]).ToArray())],
        Lengths = [.. calls.Select(id => job.Lengths[id])],
        InputIndexes = [.. calls.Select(job.InputIndexOf)],
    };

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

    /// <summary>
    /// A job's sink seen through a subset of its calls: call i of the subset is call calls[i] of the job, and its
    /// attempts follow those the job made.
    /// </summary>
    private sealed class SubsetSink(IJobSink inner, int[] calls, int[] attemptsBefore) : IJobSink
    {
        private readonly int[] _before = [.. calls.Select(id => attemptsBefore[id])];

        public void Invoked(int callId, int attempt) => inner.Invoked(calls[callId], _before[callId] + attempt);
        public void Running(int callId) => inner.Running(calls[callId]);
        public void Succeeded(int callId, byte[] output, CallStats? stats) => inner.Succeeded(calls[callId], output, stats);
        public void Failed(int callId, Exception error, CallStats? stats) => inner.Failed(calls[callId], error, stats);
        public CallRecord Record(int callId) => inner.Record(calls[callId]) with { CallId = callId };
    }

    public static RemoteException ToException(RemoteError error, int inputIndex, string? logTail = null, int attempts = 1) =>
        new(error.Type, error.Message, error.StackTrace, inputIndex, error.Inner is null ? null : ToException(error.Inner, inputIndex), logTail, attempts);
}
