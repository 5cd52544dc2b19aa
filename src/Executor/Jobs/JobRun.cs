using System.Diagnostics;
using System.Threading.Channels;
using Wren.Backends;
using Wren.Protocol;
using Wren.Storage;

namespace Wren.Jobs;

/// <summary>
/// One run of a job on a <see cref="JobRunner"/>'s backend: its queue of chunks, the attempts and failures of each call,
/// which calls are resolved and running, speculation, and the calls that outgrew the backend. It ships the code, the
/// function and the inputs, invokes chunks with at most the allowed concurrency, and turns each answer into results.
/// A chunk whose worker died is tried again (up to the retries); calls a worker did not reach are sent again without
/// counting as a failure. Every call ends exactly once. Each run is traced (<see cref="WrenTelemetry"/>) and its events logged.
/// </summary>
internal sealed class JobRun
{
    private readonly JobRunner _runner;
    private JobSpec _job;
    private IJobSink _sink;
    private readonly int _total;
    private readonly int[] _attempts;
    /// <summary>How many times each call failed, made at the first failure (most jobs have none).</summary>
    private int[]? _failures;
    private readonly ProgressCounter _progress;
    private readonly Channel<int[]> _queue = Channel.CreateUnbounded<int[]>();
    private readonly CallTracker _calls;
    private readonly List<(int CallId, bool OutOfMemory)> _outgrown = [];
    private JobRunner.SharedParts _shared = null!;
    private int _unsubmitted;

    public JobRun(JobRunner runner, JobSpec job, IJobSink sink)
    {
        _runner = runner;
        _job = job;
        _sink = sink;
        _total = job.Inputs.Count;
        _attempts = new int[_total];
        _progress = new ProgressCounter(job.Progress, _total);
        _calls = new CallTracker(_total, job.Speculation, () => _queue.Writer.TryComplete(), runner.Time);
    }

    /// <summary>Marks the call resolved (true for the first run to answer); the slower run of a duplicated call is told to stop.</summary>
    private bool Resolve(int callId)
    {
        if (!_calls.Resolve(callId)) return false;
        StopDuplicate(callId);
        return true;
    }

    /// <summary><see cref="Resolve"/> for one of a response's calls, counted with the others by <see cref="CallTracker.Counted"/>.</summary>
    private bool Claim(int callId)
    {
        if (!_calls.Claim(callId)) return false;
        StopDuplicate(callId);
        return true;
    }

    private void StopDuplicate(int callId)
    {
        if (_calls.WasDuplicated(callId))
            _ = _runner.KeepAsync(StorageKeys.Call(_runner.Backend.Location.Prefix, _job.ExecutorId, _job.JobId, callId, "cancel"), "duplicate answered"u8.ToArray(), CancellationToken.None);
    }

    private void Requeue(int[] calls) => _queue.Writer.TryWrite(calls);

    /// <summary>Counts a chunk's first invocation taken by the cloud; a detached job is submitted once all are.</summary>
    private void Accepted()
    {
        if (Interlocked.Decrement(ref _unsubmitted) == 0) _job.Submitted?.TrySetResult();
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        int total = _total;
        string jobName = _job.Name;
        using Activity? activity = WrenTelemetry.Source.StartActivity("Wren.Map");
        activity?.SetTag("wren.job_id", jobName).SetTag("wren.function", _job.FunctionName).SetTag("wren.calls", total).SetTag("wren.backend", _runner.Backend.Name);
        // The original job's failures are logged once; a fallback job's calls are the same calls.
        if (_job.InputIndexes is null) _sink = new JobRunner.LoggedSink(_sink, _runner.Logger, jobName);
        WrenTelemetry.MapStarted(_runner.Logger, jobName, _job.FunctionName, total, _runner.Backend.Name);
        long started = Stopwatch.GetTimestamp();
        Task record = Task.CompletedTask;
        using var recordWait = new CancellationTokenSource();
        try
        {
            _job = _job with { MemoryMb = await _runner.Backend.FitMemoryAsync(_job.MemoryMb, _job.MemoryGiven, cancellationToken).ConfigureAwait(false) };
            _job = await _runner.FitTimeoutAsync(_job, cancellationToken).ConfigureAwait(false);
            _job = _job with { Pricing = await _runner.Backend.PricingAsync(_job.MemoryMb, cancellationToken).ConfigureAwait(false) };
            await _runner.Uploader.EnsureStoredAsync(_job.Function.Code, cancellationToken).ConfigureAwait(false);
            // The record (for `wren jobs` and for attaching) is made when it is written, which a short job does at its end.
            Volatile.Write(ref _recordReady, true);
            // A detached job's record goes first. Any other job's goes once the job has run for a while, or with its stats
            // at its end: a short job (every CallAsync is one) then writes nothing while its calls run, on cores they need.
            if (_job.Detached) await WriteRecordAsync(cancellationToken).ConfigureAwait(false);
            else record = WriteRecordLaterAsync(recordWait.Token, cancellationToken);
            _shared = await _runner.ShareAsync(_job, cancellationToken).ConfigureAwait(false);
            int chunks = 0, start = 0;
            foreach (int size in _job.ChunkSizes())
            {
                _queue.Writer.TryWrite([.. Enumerable.Range(start, size)]);
                start += size;
                chunks++;
            }
            _unsubmitted = chunks;
            if (_unsubmitted == 0) _job.Submitted?.TrySetResult();

            using var gate = new SemaphoreSlim(_job.Concurrency);
            var running = new List<Task>();
            if (total == 0) _queue.Writer.TryComplete();
            using var monitor = new CancellationTokenSource();
            Task speculation = _job.Speculation ? SpeculateAsync(monitor.Token) : Task.CompletedTask;
            await foreach (int[] chunk in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                int[] pending = Unresolved(chunk);
                if (pending.Length == 0) continue;
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                // Started here, not on another thread: the chunk is built and sent at once, and waits for its answer off this loop.
                running.Add(RunGatedAsync(pending, gate, cancellationToken));
            }
            await monitor.CancelAsync().ConfigureAwait(false);
            await speculation.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Task.WhenAll(running).ConfigureAwait(false);
            if (_outgrown.Count > 0) await RunOutgrownAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _job.Submitted?.TrySetResult();
            if (e is not OperationCanceledException) WrenTelemetry.MapFailed(_runner.Logger, jobName, e);
            // Calls still running hear of it through this marker; one that cannot be written leaves them to their timeout.
            // A detached job is stopped only by its own Map's token, not by its client going away.
            bool abandoned = e is OperationCanceledException && _job.Detached && !_job.MapCancellation.IsCancellationRequested;
            if (e is OperationCanceledException && !abandoned)
                await _runner.KeepAsync(StorageKeys.Cancel(_runner.Backend.Location.Prefix, _job.ExecutorId, _job.JobId), "cancelled"u8.ToArray(), CancellationToken.None).ConfigureAwait(false);
            Exception error = abandoned
                ? new OperationCanceledException($"The executor was disposed before the call finished; the detached job runs on: attach to {jobName} with AttachAsync.", e)
                : e is OperationCanceledException
                ? new OperationCanceledException("The executor was disposed, or the Map cancelled, before the call finished.", e)
                : e is WrenException ? e : new WrenException($"The Map failed before its calls could run: {e.Message}", e);
            for (int callId = 0; callId < total; callId++)
                if (_calls.Resolve(callId)) _sink.Failed(callId, error, null);
            // The job has not ended: no stats, which would tell a process attaching that it has.
            if (abandoned) return;
        }
        // Every call's stats stay with the job, for `wren jobs` and `wren plot`; its record goes first. They wait their
        // turn behind the work already queued, which holds the continuations of whoever awaited the futures: the caller
        // goes on first, and the bookkeeping (a file write here) after.
        await Task.Yield();
        _job.Submitted?.TrySetResult();
        await recordWait.CancelAsync().ConfigureAwait(false);
        await record.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // A short job's record and stats go on a page with others' (JobBook); any other's into its own folder.
        bool paged = Volatile.Read(ref _recordReady) && JobBook.Takes(total, _job.Detached, Volatile.Read(ref _recordWritten) != 0);
        if (!paged) await WriteRecordAsync(CancellationToken.None).ConfigureAwait(false);
        JobCost cost = _job.Meter.Snapshot();
        var builder = new JobStats.Builder(total);
        for (int callId = 0; callId < total; callId++) _sink.Record(callId, builder, callId);
        JobStats stats = builder.Build(_job.JobId) with
        {
            Duplicates = _calls.Duplicates,
            Invocations = cost.Invocations,
            BilledGbSeconds = cost.BilledGbSeconds,
            EstimatedUsd = (double)cost.EstimatedUsd,
        };
        int succeeded = stats.Count(CallStatus.Succeeded);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        WrenTelemetry.MapEnded(_runner.Logger, jobName, succeeded, total - succeeded, seconds, cost);
        activity?.SetTag("wren.succeeded", succeeded).SetTag("wren.failed", total - succeeded).SetTag("wren.invocations", cost.Invocations)
            .SetTag("wren.cost_usd_estimate", (double)cost.EstimatedUsd)
            .SetStatus(succeeded == total ? ActivityStatusCode.Ok : ActivityStatusCode.Error, succeeded == total ? null : $"{total - succeeded} of {total} calls failed");
        if (paged) _runner.Book.Add(Record(), stats);
        else await _runner.KeepAsync(StorageKeys.JobStats(_runner.Backend.Location.Prefix, _job.ExecutorId, _job.JobId), JobRunner.RecordStats(stats), CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>How long a job runs before its record is written (a shorter one writes it at its end, with its stats).</summary>
    private static readonly TimeSpan RecordDelay = TimeSpan.FromSeconds(1);

    private bool _recordReady;

    /// <summary>The job's record, for `wren jobs` and for attaching.</summary>
    private JobRecord Record() => new()
    {
        ExecutorId = _job.ExecutorId,
        JobId = _job.JobId,
        CreatedAt = _job.SubmittedAt,
        Calls = _total,
        Function = _job.FunctionName,
        Backend = _runner.Backend.Name,
        CodeHashes = [.. _job.Function.Code.Select(c => c.Hash)],
        CodeNames = [.. _job.Function.Code.Select(c => c.Name)],
        Detached = _job.Detached,
        ResultType = _job.ResultType,
        RetryFailedCalls = _job.RetryFailedCalls,
        TimeoutSeconds = _job.Timeout.TotalSeconds,
        ChunkSize = Math.Max(_job.ChunkSize, _job.LargestChunk),
    };

    private int _recordWritten;

    /// <summary>Writes the job's record once, unless the job ends first (it is written then).</summary>
    private async Task WriteRecordLaterAsync(CancellationToken ended, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(RecordDelay, _runner.Time, ended).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await WriteRecordAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the job's record if it has not been written (once made; a job that failed before it has none).</summary>
    private async Task WriteRecordAsync(CancellationToken cancellationToken)
    {
        if (!Volatile.Read(ref _recordReady) || Interlocked.Exchange(ref _recordWritten, 1) != 0) return;
        JobRecord jobRecord = Record();
        await _runner.KeepAsync(StorageKeys.JobRecord(_runner.Backend.Location.Prefix, _job.ExecutorId, _job.JobId), JobRunner.Record(jobRecord), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Once three quarters of the calls are done, runs again each call that has run longer than three times the median
    /// of the finished ones (and at least 2 s): whichever run answers first resolves it.
    /// </summary>
    private async Task SpeculateAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(SpeculationCheck, _runner.Time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            foreach (int callId in _calls.Stragglers(SpeculationShare, SpeculationFactor, SpeculationFloor)) _queue.Writer.TryWrite([callId]);
    }

    private static readonly TimeSpan SpeculationCheck = TimeSpan.FromMilliseconds(250);

    private const double SpeculationShare = 0.75;
    private const double SpeculationFactor = 3;
    private static readonly TimeSpan SpeculationFloor = TimeSpan.FromSeconds(2);

    private async Task RunGatedAsync(int[] chunk, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        try
        {
            await RunChunkAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The calls of <paramref name="chunk"/> not yet resolved: the chunk itself when none is (a first run), so that a
    /// Map's chunks are neither copied nor filtered through code generic over the call ids, compiled while the Map runs.
    /// </summary>
    private int[] Unresolved(int[] chunk)
    {
        int resolved = 0;
        foreach (int callId in chunk)
            if (_calls.IsResolved(callId)) resolved++;
        if (resolved == 0) return chunk;
        int[] pending = new int[chunk.Length - resolved];
        int at = 0;
        foreach (int callId in chunk)
            if (!_calls.IsResolved(callId) && at < pending.Length) pending[at++] = callId;
        return at == pending.Length ? pending : pending[..at];
    }

    /// <summary>Whether any call of <paramref name="chunk"/> runs again (then the request says each call's attempt).</summary>
    private bool Retried(int[] chunk)
    {
        foreach (int callId in chunk)
            if (_attempts[callId] > 1) return true;
        return false;
    }

    private async Task RunChunkAsync(int[] chunk, CancellationToken cancellationToken)
    {
        foreach (int callId in chunk) _sink.Invoked(callId, ++_attempts[callId]);
        using Activity? activity = WrenTelemetry.Source.StartActivity("Wren.Invoke", ActivityKind.Client);
        activity?.SetTag("wren.backend", _runner.Backend.Name).SetTag("wren.calls", chunk.Length).SetTag("wren.first_call", _job.InputIndexOf(chunk[0]));
        _progress.Submitted(chunk.Length);
        InvocationOutcome outcome;
        try
        {
            string? responseKey = _runner.Backend.ResultsThroughStorage || _job.Detached
                ? StorageKeys.Call(_runner.Backend.Location.Prefix, _job.ExecutorId, _job.JobId, chunk[0], $"response-{_attempts[chunk[0]]}")
                : null;
            InvocationRequest request = Request(chunk) with
            {
                ResponseKey = responseKey,
                StoreLogs = _runner.Backend.StoresCallLogs,
                Attempts = Retried(chunk) ? [.. chunk.Select(id => _attempts[id])] : null,
            };
            var settings = new InvocationSettings(_job.MemoryMb, _job.Timeout, chunk.Length, responseKey, _job.Gpus,
                StorageKeys.Job(_runner.Backend.Location.Prefix, _job.ExecutorId, _job.JobId))
            {
                Detached = _job.Detached,
                // Only a chunk's first invocation counts towards the job's submission.
                Accepted = _job.Detached && chunk.All(id => _attempts[id] == 1) ? Accepted : null,
            };
            outcome = await _runner.Backend.InvokeAsync(_runner.Backend.BinaryMessages ? WrenProtocol.WrapBinary(request) : WrenProtocol.Wrap(request), settings, () =>
            {
                // How long calls have run matters only to speculation, which looks for stragglers.
                if (_job.Speculation)
                {
                    long now = _calls.Now();
                    foreach (int callId in chunk) _calls.Started(callId, now);
                }
                foreach (int callId in chunk) _sink.Running(callId);
                _progress.Running(chunk.Length);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            outcome = new InvocationOutcome.Failed(e is WrenException ? e : new WrenException($"The invocation could not be made: {e.Message}", e));
        }

        if (outcome is not InvocationOutcome.Failed) _job.Meter.Invoked(_runner.Backend.Name, _job.Pricing);
        activity?.SetTag("wren.outcome", outcome.GetType().Name.ToLowerInvariant());
        if (outcome is not InvocationOutcome.Answered) activity?.SetStatus(ActivityStatusCode.Error, outcome.ToString());
        switch (outcome)
        {
            case InvocationOutcome.Answered answered:
                try
                {
                    await AcceptAsync(answered, chunk, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // An answer that cannot be read (another protocol, damaged bytes) or whose outputs cannot be fetched
                    // fails the calls it did not resolve, rather than leaving them waiting.
                    Fail(chunk, e is WrenException ? e : new WrenException($"The {_runner.Backend.Name} worker's answer could not be taken: {e.GetType().Name}: {e.Message}", e));
                }
                break;
            case InvocationOutcome.Rejected or InvocationOutcome.Failed:
                Exception error = outcome switch
                {
                    InvocationOutcome.Failed failed => failed.Error,
                    InvocationOutcome.Rejected { ErrorType: WorkerErrors.ProtocolMismatch } mismatch => new ProtocolMismatchException(mismatch.Message),
                    InvocationOutcome.Rejected rejected => new WrenException($"The {_runner.Backend.Name} worker rejected the invocation ({rejected.ErrorType}): {rejected.Message}"),
                    _ => throw new InvalidOperationException(),
                };
                Fail(chunk, error);
                break;
            case InvocationOutcome.Lost lost:
                var again = new List<int>();
                foreach (int callId in chunk)
                {
                    _calls.Stopped(callId);
                    if (_calls.IsResolved(callId)) continue;
                    if (_attempts[callId] <= _job.Retries)
                    {
                        again.Add(callId);
                        continue;
                    }
                    if (!Resolve(callId)) continue;
                    _sink.Failed(callId, new WorkerLostException(_job.InputIndexOf(callId), _attempts[callId], lost.Reason), null);
                    _progress.Finished(succeeded: false);
                }
                _progress.Requeued(again.Count);
                WrenTelemetry.InvocationLost(_runner.Logger, _job.Name, chunk.Length, _runner.Backend.Name, lost.Reason, again.Count);
                if (again.Count > 0) Requeue([.. again]);
                break;
        }
    }

    /// <summary>Fails each call of <paramref name="chunk"/> that is not resolved yet with <paramref name="error"/>.</summary>
    private void Fail(int[] chunk, Exception error)
    {
        foreach (int callId in chunk)
        {
            if (!Resolve(callId)) continue;
            _sink.Failed(callId, error, null);
            _progress.Finished(succeeded: false);
        }
    }

    private InvocationRequest Request(int[] chunk)
    {
        bool contiguous = chunk[^1] - chunk[0] == chunk.Length - 1;
        int[] lengths = new int[chunk.Length];
        for (int i = 0; i < chunk.Length; i++) lengths[i] = _job.Inputs.Length(chunk[i]);
        byte[]? data = _shared.DataKey is null || !contiguous ? _job.Inputs.Gather(chunk) : null;
        return new InvocationRequest
        {
            ExecutorId = _job.ExecutorId,
            JobId = _job.JobId,
            Storage = _runner.Backend.Location,
            Function = _shared.Function,
            FunctionKey = _shared.FunctionKey,
            CodeKey = _shared.Code.Key,
            CodeList = _shared.Code.List,
            CallIds = chunk,
            Data = data,
            DataKey = data is null ? _shared.DataKey : null,
            DataOffset = data is null ? _job.Inputs.Offset(chunk[0]) : 0,
            InputLengths = lengths,
            TimeoutSeconds = _job.Timeout.TotalSeconds,
            Parallelism = _job.WorkerParallelism ?? _runner.Backend.DefaultWorkerParallelism,
            Speculative = _job.Speculation,
        };
    }

    private async Task AcceptAsync(InvocationOutcome.Answered answered, int[] chunk, CancellationToken cancellationToken)
    {
        (_, InvocationResponse? response) = WrenProtocol.Unwrap<InvocationResponse>(answered.Envelope);
        if (response is null) throw new ProtocolMismatchException("The worker answered in another protocol version; run `wren deploy-lambda` to deploy the runtime that matches this client.");
        // An answer that does not name its calls answers the request's, in order.
        int[] callIds = response.CallIds.Length > 0 ? response.CallIds : chunk;
        if (callIds.Length != response.Count)
            throw new WrenException($"A worker answered {response.Count} calls of an invocation of {chunk.Length} without naming them: the answer was damaged on its way, or came from a runtime that is not Wren's.");
        _job.Meter.Billed(_job.Pricing, response.BilledMs);
        var notRun = new List<int>();
        foreach (CallResult result in AcceptReturned(response, callIds))
            await AcceptAsync(result, answered.LogTail, notRun, cancellationToken).ConfigureAwait(false);
        if (callIds.Length != chunk.Length)
        {
            var answeredIds = callIds.ToHashSet();
            notRun.AddRange(chunk.Where(id => !answeredIds.Contains(id) && !_calls.IsResolved(id)));
            foreach (int id in chunk.Where(id => !answeredIds.Contains(id))) _calls.Stopped(id);
        }
        _progress.Requeued(notRun.Count);
        if (notRun.Count > 0) Requeue([.. notRun]);
    }

    /// <summary>
    /// Resolves, straight from the response's columns, every call that returned an output in the response (the common
    /// case, without a record per call); returns the other calls as records, for <see cref="AcceptAsync(CallResult, string?, List{int}, CancellationToken)"/>.
    /// </summary>
    private List<CallResult> AcceptReturned(InvocationResponse response, int[] callIds)
    {
        var others = new List<CallResult>();
        var reader = new InvocationResponse.Reader(response);
        // Where nothing is billed (local workers), no call has a billed time.
        bool billing = _job.Pricing is not null;
        int succeeded = 0;
        for (int i = 0; i < callIds.Length; i++)
        {
            ReadOnlySpan<byte> inline = reader.Next(i, out CallDetail? detail);
            int callId = callIds[i];
            _calls.Stopped(callId);
            // A duplicated call's slower run: the other one resolved it already.
            if (_calls.IsResolved(callId)) continue;
            var outcome = (CallOutcome)response.Outcomes[i];
            if (outcome != CallOutcome.Succeeded || detail?.OutputKey is not null)
            {
                CallStats? stats = response.StatsOf(i, _job.Inputs.Length(callId)) is { } measured ? measured with { BilledMs = billing ? measured.BilledMs : 0 } : null;
                others.Add(new CallResult
                {
                    CallId = callId,
                    Outcome = outcome,
                    OutputKey = detail?.OutputKey,
                    Error = detail?.Error,
                    LogTail = detail?.LogTail,
                    Stats = stats,
                });
                continue;
            }
            if (!Claim(callId)) continue;
            if (_job.Speculation) _calls.Finished(TimeSpan.FromTicks(response.Ended[i] - response.Started[i]));
            _sink.Returned(callId, inline, response, i, billing);
            succeeded++;
        }
        _calls.Counted(succeeded);
        _progress.Finished(succeeded, 0);
        return others;
    }

    /// <summary>Takes one call's result that is not a plain return: an output in storage, a failure, a timeout, a call not run.</summary>
    private async Task AcceptAsync(CallResult result, string? invocationLogTail, List<int> notRun, CancellationToken cancellationToken)
    {
        int callId = result.CallId;
        if (_calls.IsResolved(callId)) return;
        if (_job.Fallback && Outgrew(result) is { } outOfMemory && (_runner.Fallback is not null || outOfMemory && _runner.Backend.LargerMemory(_job.MemoryMb) is not null))
        {
            if (Resolve(callId)) lock (_outgrown) _outgrown.Add((callId, outOfMemory));
            return;
        }
        switch (result.Outcome)
        {
            case CallOutcome.Succeeded:
                byte[] output = await JobRunner.OutputAsync(_runner.Backend.Storage, result, cancellationToken).ConfigureAwait(false);
                if (!Resolve(callId)) break;
                if (_job.Speculation && result.Stats is { } stats) _calls.Finished(stats.Ended - stats.Started);
                _sink.Succeeded(callId, output, result.Stats);
                _progress.Finished(succeeded: true);
                break;
            case CallOutcome.Failed:
                int failed = Interlocked.Increment(ref LazyArray.Get(ref _failures, _total)[callId]);
                RemoteException error = JobRunner.ToException(result.Error!, _job.InputIndexOf(callId), result.LogTail ?? invocationLogTail, failed);
                if (failed <= _job.RetryFailedCalls && (_job.RetryIf?.Invoke(error) ?? true))
                {
                    // Run it again: a retry is a new attempt, with the same input.
                    int input = _job.InputIndexOf(callId);
                    WrenTelemetry.CallRetried(_runner.Logger, _job.Name, input, error.RemoteType, failed);
                    notRun.Add(callId);
                    break;
                }
                if (!Resolve(callId)) break;
                if (_job.Speculation && result.Stats is { } failedStats) _calls.Finished(failedStats.Ended - failedStats.Started);
                _sink.Failed(callId, error, result.Stats);
                _progress.Finished(succeeded: false);
                break;
            case CallOutcome.TimedOut:
                if (!Resolve(callId)) break;
                _sink.Failed(callId, JobRunner.TimedOut(result, _job.InputIndexOf(callId), _job.Timeout), result.Stats);
                _progress.Finished(succeeded: false);
                break;
            default:
                notRun.Add(callId);
                break;
        }
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
    private async Task RunOutgrownAsync(CancellationToken cancellationToken)
    {
        int? larger = _runner.Backend.LargerMemory(_job.MemoryMb);
        int[] stepUp = [.. _outgrown.Where(o => o.OutOfMemory && larger is not null).Select(o => o.CallId).Order()];
        int[] elsewhere = [.. _outgrown.Select(o => o.CallId).Except(stepUp).Order()];
        var runs = new List<Task>();
        if (stepUp.Length > 0)
        {
            WrenTelemetry.SteppingUp(_runner.Logger, _job.Name, stepUp.Length, _job.MemoryMb, larger!.Value);
            JobSpec bigger = Subset(stepUp, $"m{larger}") with { MemoryMb = larger.Value, MemoryGiven = true };
            runs.Add(_runner.RunAsync(bigger, new JobRunner.SubsetSink(_sink, stepUp, _attempts), cancellationToken));
        }
        if (elsewhere.Length > 0)
        {
            WrenTelemetry.FallingBack(_runner.Logger, _job.Name, elsewhere.Length, _runner.Backend.Name);
            JobRunner runner = _runner.Fallback!();
            JobSpec widened = Subset(elsewhere, "b") with
            {
                Timeout = TimeSpan.FromTicks(Math.Max(_job.Timeout.Ticks * 4, TimeSpan.FromHours(1).Ticks)),
                MemoryMb = Math.Max(_job.MemoryMb * 2, 4096),
                ChunkSize = 1,
                Concurrency = runner.Backend.DefaultConcurrency,
                Fallback = false,
            };
            runs.Add(runner.RunAsync(widened, new JobRunner.SubsetSink(_sink, elsewhere, _attempts), cancellationToken));
        }
        await Task.WhenAll(runs).ConfigureAwait(false);
    }

    /// <summary>
    /// A job of some of this job's calls, with their inputs, as its own job (its id suffixed) of the same Map; its chunks
    /// are all of one size (the larger first chunks were this job's, sized for all its calls).
    /// </summary>
    private JobSpec Subset(int[] calls, string suffix) => _job with
    {
        JobId = _job.JobId + suffix,
        Inputs = _job.Inputs.Subset(calls),
        InputIndexes = [.. calls.Select(_job.InputIndexOf)],
        LargestChunk = 0,
        ChunkShare = 1,
    };
}
