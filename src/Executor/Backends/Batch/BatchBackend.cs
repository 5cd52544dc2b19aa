using System.Globalization;
using Wren.Aws.Batch;
using Wren.Protocol;
using Wren.Storage;
using Wren.Timing;

namespace Wren.Backends.Batch;

/// <summary>
/// Calls run in AWS Batch containers: the chunks of a Map that arrive together become one array job (one child per
/// chunk; a single chunk is a plain job). The chunks are stored in one object with an index; each child reads its own
/// (AWS_BATCH_JOB_ARRAY_INDEX) and stores its response. Status comes from storage and from DescribeJobs; a child that
/// fails without answering loses its calls (they are tried again); cancelling terminates the job.
/// </summary>
internal sealed class BatchBackend(BatchClient batch, S3Storage storage, string prefix, BatchTargets targets, TimeProvider? time = null, bool ownsClients = false) : IComputeBackend
{
    private const int MaxArraySize = 10_000;
    private static readonly TimeSpan Gathering = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan BundleUrlLifetime = TimeSpan.FromHours(12);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, BatchSubmission> _gathering = [];
    private readonly CancellationTokenSource _stop = new();
    private int _submissions;

    public string Name => "batch";

    /// <summary>Fargate bills each container's vCPUs and memory: the job definition's one vCPU, and the Map's memory.</summary>
    public Task<BackendPricing?> PricingAsync(int memoryMb, CancellationToken cancellationToken) =>
        Task.FromResult<BackendPricing?>(BackendPricing.Fargate(memoryMb, 1, storage.Region));

    public IObjectStorage Storage => storage;

    public StorageLocation Location { get; } = new() { Kind = StorageLocation.S3, Bucket = storage.Bucket, Region = storage.Region, Prefix = prefix };

    /// <summary>
    /// Chunks in one submission by default: each child is a container start, so calls are packed into as many children
    /// as would usually run at once. Batch queues the rest itself.
    /// </summary>
    public int DefaultConcurrency { get; init; } = 32;

    public int ChunksPerSlot => 1;

    public int MaxInlineBytes => 4 * 1024 * 1024;

    public bool ResultsThroughStorage => true;

    public bool StoresCallLogs => false;

    /// <summary>How often a submission's status is looked at, at first; it slows down to 15 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause between two looks at a running submission (Batch jobs take minutes; its API is rate-limited).</summary>
    private static readonly TimeSpan LongestPoll = TimeSpan.FromSeconds(15);

    public async Task<InvocationOutcome> InvokeAsync(byte[] envelope, InvocationSettings settings, Action onRunning, CancellationToken cancellationToken)
    {
        string jobKey = settings.JobKey ?? throw new InvalidOperationException("A Batch invocation needs its job's key.");
        string group = string.Join('|', jobKey, settings.MemoryMb, settings.Gpus, settings.CallTimeout.Ticks);
        var chunk = new BatchSubmission.Chunk(envelope, settings, onRunning);
        BatchSubmission submissionOf;
        lock (_lock)
        {
            // An array job has at most 10,000 children; more chunks start another.
            if (_gathering.TryGetValue(group, out BatchSubmission? full) && full.Chunks.Count >= MaxArraySize) _gathering.Remove(group);
            if (!_gathering.TryGetValue(group, out BatchSubmission? submission))
            {
                submission = new BatchSubmission($"{jobKey}/batch/{Interlocked.Increment(ref _submissions):D4}", settings);
                _gathering[group] = submission;
                _ = SubmitAfterGatheringAsync(group, submission);
            }
            submission.Chunks.Add(chunk);
            submissionOf = submission;
        }
        // Registered for as long as the chunk is out, and no longer: a long-lived token must not collect every chunk's callback.
        using CancellationTokenRegistration cancel = cancellationToken.Register(() =>
        {
            // A detached job keeps running when its client stops waiting; its calls hear of a cancelled Map by marker.
            if (!settings.Detached) submissionOf.Cancelled = true;
            chunk.Outcome.TrySetResult(new InvocationOutcome.Lost("cancelled"));
        });
        return await chunk.Outcome.Task.ConfigureAwait(false);
    }

    private async Task SubmitAfterGatheringAsync(string group, BatchSubmission submission)
    {
        try
        {
            await Task.Delay(Gathering, _time, _stop.Token).ConfigureAwait(false);
            lock (_lock)
                if (_gathering.TryGetValue(group, out BatchSubmission? current) && current == submission) _gathering.Remove(group);
            await SubmitAsync(submission, _stop.Token).ConfigureAwait(false);
            await WatchAsync(submission, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Disposing cancels the source and then disposes it: a submission between two steps may find either.
            InvocationOutcome outcome = e is OperationCanceledException or ObjectDisposedException
                ? new InvocationOutcome.Lost("the executor was disposed")
                : new InvocationOutcome.Failed(e is WrenException ? e : new WrenException($"Submitting to AWS Batch failed: {e.Message}", e));
            foreach (BatchSubmission.Chunk chunk in submission.Chunks) chunk.Outcome.TrySetResult(outcome);
        }
        finally
        {
            // A cancelled Map, or a watch that ended early, leaves no containers running.
            if (submission.JobId is { } jobId && !submission.Settings.Detached && (submission.Cancelled || !submission.AllFinished))
            {
                try
                {
                    await batch.TerminateJobAsync(jobId, "Wren: the Map was cancelled", CancellationToken.None).ConfigureAwait(false);
                }
                catch (WrenException)
                {
                }
            }
        }
    }

    private async Task SubmitAsync(BatchSubmission submission, CancellationToken cancellationToken)
    {
        List<BatchSubmission.Chunk> chunks = submission.Chunks;
        await BatchRequests.WriteAsync(storage, submission.Key, [.. chunks.Select(c => c.Envelope)], cancellationToken).ConfigureAwait(false);
        InvocationSettings settings = submission.Settings;
        (string queue, string definition) = targets.For(settings.Gpus);
        int callsPerChunk = chunks.Max(c => c.Settings.Calls);
        var resources = new List<ResourceRequirement> { new() { Type = ResourceRequirement.Memory, Value = settings.MemoryMb.ToString(CultureInfo.InvariantCulture) } };
        if (settings.Gpus > 0) resources.Add(new() { Type = ResourceRequirement.Gpu, Value = settings.Gpus.ToString(CultureInfo.InvariantCulture) });
        string[] parts = submission.Key.Split('/');
        SubmitJobResult submitted = await batch.SubmitJobAsync(new SubmitJobRequest
        {
            JobName = $"wren-{parts[^4]}-{parts[^3]}-{parts[^1]}",
            JobQueue = queue,
            JobDefinition = definition,
            ArrayProperties = chunks.Count > 1 ? new ArrayProperties { Size = chunks.Count } : null,
            ContainerOverrides = new ContainerOverrides
            {
                Environment = ContainerEnvironment(submission.Key),
                ResourceRequirements = resources,
            },
            RetryStrategy = new RetryStrategy { Attempts = 1 },
            Timeout = new JobTimeout { AttemptDurationSeconds = (int)Math.Min(14 * 24 * 3600, Math.Max(60, settings.CallTimeout.TotalSeconds * callsPerChunk + 300)) },
        }, cancellationToken).ConfigureAwait(false);
        submission.JobId = submitted.JobId;
        foreach (BatchSubmission.Chunk chunk in chunks) chunk.Settings.Accepted?.Invoke();
        foreach (BatchSubmission.Chunk chunk in chunks) chunk.OnRunning();
    }

    private List<EnvironmentVariable> ContainerEnvironment(string requestsKey)
    {
        var environment = new List<EnvironmentVariable>
        {
            new() { Name = BatchDeploymentSettings.RequestsKeyVariable, Value = requestsKey },
            new() { Name = BatchDeploymentSettings.BucketVariable, Value = storage.Bucket },
            new() { Name = BatchDeploymentSettings.RegionVariable, Value = storage.Region },
        };
        // The stock image fetches the worker through this URL, made fresh for each submission; a custom image has it inside.
        if (targets.BundleKey is { } bundle) environment.Add(new() { Name = BatchDeploymentSettings.BundleUrlVariable, Value = storage.PresignGet(bundle, BundleUrlLifetime) });
        return environment;
    }

    /// <summary>Collects responses from storage as children store them, until the job is over; what is missing then is lost.</summary>
    private async Task WatchAsync(BatchSubmission submission, CancellationToken cancellationToken)
    {
        var pause = new Backoff(_time, PollInterval, LongestPoll, 1.3);
        while (!submission.AllFinished)
        {
            await pause.WaitAsync(cancellationToken).ConfigureAwait(false);
            await CollectAsync(submission, cancellationToken).ConfigureAwait(false);
            if (submission.AllFinished) return;
            IReadOnlyList<JobDetail> jobs = await batch.DescribeJobsAsync([submission.JobId!], cancellationToken).ConfigureAwait(false);
            JobDetail? job = jobs.Count > 0 ? jobs[0] : null;
            if (job is null || !JobStatus.IsFinal(job.Status)) continue;
            // The job is over: take any response stored in the meantime, then the children's reasons for the rest.
            await CollectAsync(submission, cancellationToken).ConfigureAwait(false);
            await LoseUnansweredAsync(submission, job, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CollectAsync(BatchSubmission submission, CancellationToken cancellationToken)
    {
        var stored = new HashSet<string>(StringComparer.Ordinal);
        string jobFolder = submission.Settings.JobKey! + "/";
        await foreach (StoredObject item in storage.ListAsync(jobFolder, cancellationToken).ConfigureAwait(false)) stored.Add(item.Key);
        foreach (BatchSubmission.Chunk chunk in submission.Chunks)
        {
            if (chunk.Outcome.Task.IsCompleted || chunk.Settings.ResponseKey is not { } key || !stored.Contains(key)) continue;
            chunk.Outcome.TrySetResult(new InvocationOutcome.Answered(await storage.GetAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false)));
        }
    }

    private async Task LoseUnansweredAsync(BatchSubmission submission, JobDetail job, CancellationToken cancellationToken)
    {
        List<BatchSubmission.Chunk> chunks = submission.Chunks;
        bool array = chunks.Count > 1;
        string[] ids = array ? [.. Enumerable.Range(0, chunks.Count).Select(i => $"{job.JobId}:{i}")] : [job.JobId];
        Dictionary<string, JobDetail> children = (await batch.DescribeJobsAsync(ids, cancellationToken).ConfigureAwait(false)).ToDictionary(j => j.JobId);
        for (int i = 0; i < chunks.Count; i++)
        {
            if (chunks[i].Outcome.Task.IsCompleted) continue;
            JobDetail? child = children.GetValueOrDefault(ids[i]);
            string reason = child is null
                ? $"Batch job {ids[i]} ended ({job.Status}) without storing its response"
                : $"Batch job {ids[i]} {child.Status.ToLowerInvariant()} without storing its response: {child.StatusReason ?? child.Container?.Reason ?? "no reason given"}"
                  + (child.Container?.ExitCode is { } code ? $" (exit code {code}{(code == 137 ? ": killed, perhaps for running out of memory" : "")})" : "")
                  + (child.Container?.LogStreamName is { } stream ? $"; its log: /aws/batch/job {stream}" : "");
            chunks[i].Outcome.TrySetResult(new InvocationOutcome.Lost(reason));
        }
    }

    /// <summary>Stops watching submissions; the client and storage are disposed only when this backend was given them to own.</summary>
    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _stop.Dispose();
        if (ownsClients)
        {
            batch.Dispose();
            storage.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
