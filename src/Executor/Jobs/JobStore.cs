using Wren.Storage;

namespace Wren.Jobs;

/// <summary>
/// Reads what storage holds about jobs: their records, stats and sizes; finds a job by its id; deletes jobs. Disposes
/// the storage only when given it to own (<paramref name="ownsStorage"/>: the CLI opens one for the store).
/// </summary>
internal sealed class JobStore(IObjectStorage storage, string prefix, bool ownsStorage = false) : IDisposable
{
    public void Dispose()
    {
        if (ownsStorage) storage.Dispose();
    }

    /// <summary>One job as <c>wren jobs</c> shows it.</summary>
    public sealed record Summary(string Id, string ExecutorId, string JobId, DateTimeOffset CreatedAt, int Calls, int? Succeeded, int? Failed, long Bytes, string? Function, string? Backend, IReadOnlyList<string> CodeHashes)
    {
        /// <summary>Invocations made, once the job has ended.</summary>
        public int? Invocations { get; init; }

        /// <summary>The estimated cost in USD, once the job has ended.</summary>
        public double? EstimatedUsd { get; init; }

        /// <summary>For a detached job still running: how many of its calls have answered so far (from the stored responses).</summary>
        public int? Answered { get; init; }

        /// <summary>The page holding the job's record and stats, for a short job (<see cref="JobBook"/>); null for a job with its own.</summary>
        public string? Page { get; init; }
    }

    /// <summary>The pages read so far, by key.</summary>
    private readonly Dictionary<string, JobPage> _pages = new(StringComparer.Ordinal);

    public IObjectStorage Storage => storage;

    public string Prefix => prefix;

    /// <summary>Every job in storage, newest first.</summary>
    public async Task<IReadOnlyList<Summary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var jobs = new Dictionary<(string, string), (long Bytes, DateTimeOffset Oldest, bool HasRecord, bool HasStats)>();
        var responses = new Dictionary<(string, string), List<string>>();
        var pages = new List<StoredObject>();
        string root = StorageKeys.Jobs(prefix);
        await foreach (StoredObject stored in storage.ListAsync(root, cancellationToken).ConfigureAwait(false))
        {
            string[] parts = stored.Key[root.Length..].Split('/');
            if (parts.Length == 2 && parts[1].StartsWith(StorageKeys.JobPagePrefix, StringComparison.Ordinal)) pages.Add(stored);
            if (parts.Length < 3) continue;
            var key = (parts[0], parts[1]);
            var entry = jobs.GetValueOrDefault(key, (0, DateTimeOffset.MaxValue, false, false));
            entry.Bytes += stored.Size;
            if (stored.LastModified < entry.Oldest) entry.Oldest = stored.LastModified;
            if (parts.Length == 3 && parts[2] == "job") entry.HasRecord = true;
            if (parts.Length == 3 && parts[2] == "stats") entry.HasStats = true;
            if (DetachedJobFollower.IsResponse(stored.Key))
                (responses.TryGetValue(key, out List<string>? keys) ? keys : responses[key] = []).Add(stored.Key);
            jobs[key] = entry;
        }
        var summaries = new List<Summary>();
        var paged = new HashSet<(string, string)>();
        foreach (StoredObject stored in pages)
        {
            if (await PageAsync(stored.Key, cancellationToken).ConfigureAwait(false) is not { Jobs.Length: > 0 } page) continue;
            foreach (JobPageEntry job in page.Jobs)
            {
                // A job's share of its page, and whatever its folder holds (the logs of its calls).
                var key = (job.Record.ExecutorId, job.Record.JobId);
                long bytes = stored.Size / page.Jobs.Length + (jobs.TryGetValue(key, out var folder) ? folder.Bytes : 0);
                paged.Add(key);
                summaries.Add(Summarize(job.Record.ExecutorId, job.Record.JobId, job.Record, job.Stats, job.Record.CreatedAt, bytes) with { Page = stored.Key });
            }
        }
        foreach (((string executor, string job), var entry) in jobs)
        {
            if (paged.Contains((executor, job))) continue;
            JobRecord? record = entry.HasRecord ? await ReadAsync(StorageKeys.JobRecord(prefix, executor, job), JobRunner.ReadRecord<JobRecord>, cancellationToken).ConfigureAwait(false) : null;
            JobStats? stats = entry.HasStats ? await ReadAsync(StorageKeys.JobStats(prefix, executor, job), JobRunner.ReadStats, cancellationToken).ConfigureAwait(false) : null;
            summaries.Add(Summarize(executor, job, record, stats, record?.CreatedAt ?? entry.Oldest, entry.Bytes) with
            {
                Answered = record is { Detached: true } && stats is null
                    ? await AnsweredAsync(responses.GetValueOrDefault((executor, job)) ?? [], cancellationToken).ConfigureAwait(false)
                    : null,
            });
        }
        return [.. summaries.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.JobId, StringComparer.Ordinal)];
    }

    private static Summary Summarize(string executor, string job, JobRecord? record, JobStats? stats, DateTimeOffset createdAt, long bytes) =>
        new(JobIds.Format(executor, job), executor, job, createdAt, record?.Calls ?? stats?.Statuses.Length ?? 0,
            stats?.Count(CallStatus.Succeeded), stats is null ? null : stats.Statuses.Length - stats.Count(CallStatus.Succeeded),
            bytes, record?.Function, record?.Backend, record?.CodeHashes ?? [])
        {
            Invocations = stats?.Invocations,
            EstimatedUsd = stats?.EstimatedUsd,
        };

    /// <summary>The record of the short job <paramref name="jobId"/> of executor <paramref name="executorId"/>, from its page; null if no page holds it.</summary>
    public async Task<JobRecord?> PagedRecordAsync(string executorId, string jobId, CancellationToken cancellationToken = default)
    {
        await foreach (StoredObject stored in storage.ListAsync(StorageKeys.JobPage(prefix, executorId, ""), cancellationToken).ConfigureAwait(false))
            if ((await PageAsync(stored.Key, cancellationToken).ConfigureAwait(false))?.Of(jobId) is { } job) return job.Record;
        return null;
    }

    /// <summary>The page stored at <paramref name="key"/> (read once per store), or null if it is gone or unreadable.</summary>
    private async Task<JobPage?> PageAsync(string key, CancellationToken cancellationToken)
    {
        if (_pages.TryGetValue(key, out JobPage? page)) return page;
        page = await ReadAsync(key, JobBook.Read, cancellationToken).ConfigureAwait(false);
        if (page is not null) _pages[key] = page;
        return page;
    }

    /// <summary>How many calls the stored responses answer (a success, a failure or a timeout; not those sent back unrun).</summary>
    private async Task<int> AnsweredAsync(List<string> responseKeys, CancellationToken cancellationToken)
    {
        var answered = new HashSet<int>();
        foreach (string key in responseKeys)
        {
            (_, Protocol.InvocationResponse? response) = Protocol.WrenProtocol.Unwrap<Protocol.InvocationResponse>(await storage.GetAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false));
            foreach (Protocol.CallResult result in response?.Results() ?? [])
                if (result.Outcome is Protocol.CallOutcome.Succeeded or Protocol.CallOutcome.Failed or Protocol.CallOutcome.TimedOut) answered.Add(result.CallId);
        }
        return answered.Count;
    }

    /// <summary>The job whose id is <paramref name="id"/>, or starts or ends with it (a job number alone picks the newest such job).</summary>
    public async Task<Summary> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<Summary> jobs = await ListAsync(cancellationToken).ConfigureAwait(false);
        return jobs.FirstOrDefault(j => j.Id == id)
            ?? jobs.FirstOrDefault(j => j.Id.EndsWith(id, StringComparison.Ordinal) || j.Id.StartsWith(id, StringComparison.Ordinal))
            ?? throw new WrenException($"No job '{id}' in {storage.Describe}; `wren jobs` lists the jobs there.");
    }

    public async Task<JobStats?> StatsAsync(Summary job, CancellationToken cancellationToken = default) => job.Page is { } key
        ? (await PageAsync(key, cancellationToken).ConfigureAwait(false))?.Of(job.JobId)?.Stats
        : await ReadAsync(StorageKeys.JobStats(prefix, job.ExecutorId, job.JobId), JobRunner.ReadStats, cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes everything stored for the job (on a page, the page is written again without it); returns the bytes removed.</summary>
    public Task<long> DeleteAsync(Summary job, CancellationToken cancellationToken = default) => DeleteAsync([job], cancellationToken);

    /// <summary>
    /// Deletes everything stored for the jobs; a page is written again once without those of its jobs (or deleted, when
    /// none is left), not once per job. Returns the bytes removed.
    /// </summary>
    public async Task<long> DeleteAsync(IReadOnlyList<Summary> jobs, CancellationToken cancellationToken = default)
    {
        long removed = 0;
        foreach (IGrouping<string, Summary> onPage in jobs.Where(j => j.Page is not null).GroupBy(j => j.Page!, StringComparer.Ordinal))
        {
            string key = onPage.Key;
            if (await PageAsync(key, cancellationToken).ConfigureAwait(false) is not { } page) continue;
            var doomed = onPage.Select(j => (j.ExecutorId, j.JobId)).ToHashSet();
            long before = await storage.SizeAsync(key, cancellationToken).ConfigureAwait(false) ?? 0;
            JobPage rest = page with { Jobs = [.. page.Jobs.Where(j => !doomed.Contains((j.Record.ExecutorId, j.Record.JobId)))] };
            if (rest.Jobs.Length == 0)
            {
                await storage.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
                removed += before;
            }
            else
            {
                byte[] bytes = JobBook.Stored(rest);
                await storage.PutAsync(key, bytes, cancellationToken).ConfigureAwait(false);
                removed += before - bytes.Length;
            }
            _pages[key] = rest;
        }
        foreach (Summary job in jobs)
        {
            await foreach (StoredObject stored in storage.ListAsync(StorageKeys.Job(prefix, job.ExecutorId, job.JobId) + "/", cancellationToken).ConfigureAwait(false))
            {
                await storage.DeleteAsync(stored.Key, cancellationToken).ConfigureAwait(false);
                removed += stored.Size;
            }
        }
        return removed;
    }

    /// <summary>
    /// Deletes code files no remaining job uses, except those stored within <paramref name="grace"/> (a Map that is
    /// starting may have uploaded its code before writing its job record). Returns the files and bytes removed.
    /// </summary>
    public async Task<(int Files, long Bytes)> DeleteUnusedCodeAsync(IReadOnlyList<Summary> remaining, TimeSpan grace, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var used = remaining.SelectMany(j => j.CodeHashes).ToHashSet(StringComparer.Ordinal);
        string codePrefix = StorageKeys.Code(prefix, "x")[..^"x.dll".Length];
        int files = 0;
        long bytes = 0;
        await foreach (StoredObject stored in storage.ListAsync(codePrefix, cancellationToken).ConfigureAwait(false))
        {
            string hash = Path.GetFileNameWithoutExtension(stored.Key);
            if (used.Contains(hash) || now - stored.LastModified < grace) continue;
            await storage.DeleteAsync(stored.Key, cancellationToken).ConfigureAwait(false);
            files++;
            bytes += stored.Size;
        }
        return (files, bytes);
    }

    /// <summary>Every call log the job stored (local backend), in call order.</summary>
    public async Task<IReadOnlyList<StoredObject>> CallLogsAsync(Summary job, CancellationToken cancellationToken = default)
    {
        var logs = new List<StoredObject>();
        await foreach (StoredObject stored in storage.ListAsync(StorageKeys.Job(prefix, job.ExecutorId, job.JobId) + "/", cancellationToken).ConfigureAwait(false))
            if (stored.Key.EndsWith("/log", StringComparison.Ordinal)) logs.Add(stored);
        return [.. logs.OrderBy(l => l.Key, StringComparer.Ordinal)];
    }

    /// <summary>The object at <paramref name="key"/>, read by <paramref name="read"/>; null if it is gone or does not read.</summary>
    private async Task<T?> ReadAsync<T>(string key, Func<byte[], T> read, CancellationToken cancellationToken) where T : class
    {
        try
        {
            return read(await storage.GetAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is StorageNotFoundException or Serialization.WrenSerializationException or InvalidDataException)
        {
            return null;
        }
    }
}
