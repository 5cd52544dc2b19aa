using System.Reflection;
using Wren.Jobs;
using Wren.Serialization;
using Wren.Storage;

namespace Wren;

public sealed partial class WrenExecutor
{
    /// <summary>
    /// The futures of a detached Map (<see cref="MapOptions.Detached"/>), from this or any other process with the same
    /// configuration: they complete as results arrive, including those that arrived before. <typeparamref name="T"/>
    /// must be what the Map's function returns.
    /// </summary>
    /// <param name="jobId">The Map's <see cref="FutureList{T}.JobId"/>, as <c>wren jobs</c> lists it.</param>
    /// <param name="cancellationToken">Stops looking up the job; once attached, stops waiting (the job runs on).</param>
    /// <exception cref="WrenException">No such job, a job that was not detached, or another result type.</exception>
    public async Task<FutureList<T>> AttachAsync<T>(string jobId, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        (string executorId, string job) = JobIds.Parse(jobId);
        // A job of this executor's that has not ended may have no record yet (it is written with the stats at the end).
        if (executorId == Id && RunningJobIsDetached(job) is false) throw NotDetached(jobId);
        IObjectStorage storage = _backend.Storage;
        string prefix = _backend.Location.Prefix;
        JobRecord record;
        try
        {
            record = JobRunner.ReadRecord<JobRecord>(await storage.GetAsync(StorageKeys.JobRecord(prefix, executorId, job), cancellationToken: cancellationToken).ConfigureAwait(false));
        }
        catch (StorageNotFoundException)
        {
            // A short job's record is on a page (this executor's last ones perhaps not written yet): it was not detached.
            if (executorId == Id) await FlushBooksAsync().ConfigureAwait(false);
            using var store = new JobStore(storage, prefix);
            if (await store.PagedRecordAsync(executorId, job, cancellationToken).ConfigureAwait(false) is not null) throw NotDetached(jobId);
            throw new WrenException($"There is no job {jobId} in {storage.Describe}: give the id of a detached Map (its FutureList.JobId; `wren jobs` lists the jobs there).");
        }
        if (!record.Detached) throw NotDetached(jobId);
        string asked = ResultTypeName(typeof(T));
        if (record.ResultType is { } returns && returns != asked)
            throw new WrenException($"Job {jobId} returns {returns}, not {asked}: attach with the type its function returns.");

        var states = new FutureStates<T>(record.Calls, _configuration.Time.GetUtcNow());
        var names = record.CodeNames.ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assembly[] assemblies = [typeof(T).Assembly, .. AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && names.Contains(a.GetName().Name ?? ""))];
        var sink = new FutureSink<T>(states, new WrenSerializerOptions { AllowedAssemblies = assemblies });
        var follower = new DetachedJobFollower(storage, prefix, executorId, record, _configuration.Time);
        Track(Task.Run(async () =>
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token, cancellationToken);
            await follower.FollowAsync(sink, stop.Token).ConfigureAwait(false);
        }, CancellationToken.None));
        return new FutureList<T>(jobId, states) { Name = record.Function };
    }

    /// <summary>A Map can be detached where its workers outlive this process, and without a fallback run by this process.</summary>
    private static void CheckDetachable(JobRunner runner, MapOptions options)
    {
        if (!runner.Backend.RunsDetached)
            throw new WrenException($"MapOptions.Detached needs workers that run without this process (Lambda or AWS Batch); the {runner.Backend.Name} backend's workers are this process's children. Run the Map without Detached, or on Lambda or Batch.");
        if (options.BatchFallback == true)
            throw new WrenException("MapOptions.Detached cannot be combined with BatchFallback: the fallback is run by the process that waits. Set one of them.");
    }

    private static WrenException NotDetached(string jobId) =>
        new($"Job {jobId} was not detached, so its results went only to the process that ran it: run the Map with MapOptions.Detached = true to attach to it from elsewhere.");

    /// <summary>A result type as a job record names it: <c>Namespace.Type, Assembly</c>.</summary>
    private static string ResultTypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";
}
