using Wren.Protocol;
using Wren.Storage;
using Wren.Timing;

namespace Wren.Jobs;

/// <summary>
/// Completes a detached job's futures in a process that attached to it, from the responses its workers stored under
/// the job's folder: each is read once, the first answer of a call wins, and a failure is final once the call has
/// failed as often as the Map retries failures. When the job has ended (its stats are stored) the calls still open
/// end as its stats say; when nothing has arrived for longer than a chunk's calls could take, they end as lost.
/// </summary>
internal sealed class DetachedJobFollower(IObjectStorage storage, string prefix, string executorId, JobRecord record, TimeProvider time)
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(2);

    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly int[] _failures = new int[record.Calls];
    private readonly CallResult?[] _lastFailure = new CallResult?[record.Calls];
    private readonly bool[] _resolved = new bool[record.Calls];
    private int _open = record.Calls;

    /// <summary>How long to wait with no news before the open calls count as lost: every call of a chunk at its timeout, and some.</summary>
    private TimeSpan Patience => TimeSpan.FromSeconds(record.TimeoutSeconds * Math.Max(1, record.ChunkSize)) + TimeSpan.FromMinutes(2);

    public async Task FollowAsync(IJobSink sink, CancellationToken cancellationToken)
    {
        for (int callId = 0; callId < record.Calls; callId++) sink.Invoked(callId, 1);
        try
        {
            long lastNews = time.GetTimestamp();
            var pause = new Backoff(time, FirstPause, LongestPause);
            while (_open > 0)
            {
                if (await TakeNewResponsesAsync(sink, cancellationToken).ConfigureAwait(false))
                {
                    lastNews = time.GetTimestamp();
                    pause.Reset();
                    continue;
                }
                if (await EndedAsync(cancellationToken).ConfigureAwait(false) is { } stats)
                {
                    // The job's own client finished it: the last responses were read above, and the rest ended there.
                    if (!await TakeNewResponsesAsync(sink, cancellationToken).ConfigureAwait(false)) CloseFromStats(sink, stats);
                    continue;
                }
                if (time.GetElapsedTime(lastNews) > Patience)
                {
                    CloseAll(sink, callId => new WorkerLostException(callId, 1, $"no worker answered in {Patience.TotalMinutes:0} minutes (an invocation that crashed is not retried while no client runs the job)"));
                    break;
                }
                await pause.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException e)
        {
            CloseAll(sink, _ => new OperationCanceledException("The executor was disposed, or the attach cancelled, before the call's result arrived; the job itself runs on.", e));
        }
    }

    /// <summary>Reads the responses stored since the last look; true if any call ended with them.</summary>
    private async Task<bool> TakeNewResponsesAsync(IJobSink sink, CancellationToken cancellationToken)
    {
        bool news = false;
        string folder = StorageKeys.Job(prefix, executorId, record.JobId) + "/";
        var fresh = new List<string>();
        await foreach (StoredObject stored in storage.ListAsync(folder, cancellationToken).ConfigureAwait(false))
            if (IsResponse(stored.Key) && !_read.Contains(stored.Key)) fresh.Add(stored.Key);
        foreach (string key in fresh)
        {
            (_, InvocationResponse? response) = WrenProtocol.Unwrap<InvocationResponse>(await storage.GetAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false));
            _read.Add(key);
            if (response is null) continue;
            foreach (CallResult result in response.Results())
                news |= await TakeAsync(result, sink, cancellationToken).ConfigureAwait(false);
        }
        return news;
    }

    /// <summary>Whether a stored object is an invocation's response (<c>&lt;job&gt;/&lt;call&gt;/response-&lt;attempt&gt;</c>).</summary>
    public static bool IsResponse(string key) => key.AsSpan(key.LastIndexOf('/') + 1).StartsWith("response-", StringComparison.Ordinal);

    private async Task<bool> TakeAsync(CallResult result, IJobSink sink, CancellationToken cancellationToken)
    {
        int callId = result.CallId;
        if (callId < 0 || callId >= record.Calls || _resolved[callId]) return false;
        switch (result.Outcome)
        {
            case CallOutcome.Succeeded:
                byte[] output = await JobRunner.OutputAsync(storage, result, cancellationToken).ConfigureAwait(false);
                Close(callId);
                sink.Succeeded(callId, output, result.Stats);
                return true;
            case CallOutcome.Failed:
                _lastFailure[callId] = result;
                if (++_failures[callId] <= record.RetryFailedCalls) return false;
                Close(callId);
                sink.Failed(callId, JobRunner.ToException(result.Error!, callId, result.LogTail, _failures[callId]), result.Stats);
                return true;
            case CallOutcome.TimedOut:
                Close(callId);
                sink.Failed(callId, JobRunner.TimedOut(result, callId, TimeSpan.FromSeconds(record.TimeoutSeconds)), result.Stats);
                return true;
            default:
                // Not run: the job's client sends it again.
                return false;
        }
    }

    private async Task<JobStats?> EndedAsync(CancellationToken cancellationToken)
    {
        try
        {
            return JobRunner.ReadStats(await storage.GetAsync(StorageKeys.JobStats(prefix, executorId, record.JobId), cancellationToken: cancellationToken).ConfigureAwait(false));
        }
        catch (StorageNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is InvalidDataException or Serialization.WrenSerializationException)
        {
            // The job ended, but how its calls went cannot be read: the calls still open end with that, rather than never.
            _unreadableStats = e.Message;
            return new JobStats { JobId = record.JobId };
        }
    }

    /// <summary>Why the ended job's stats could not be read, if they could not.</summary>
    private string? _unreadableStats;

    private void CloseFromStats(IJobSink sink, JobStats stats)
    {
        var byCall = stats.Calls().ToDictionary(c => c.CallId);
        CloseAll(sink, callId => _lastFailure[callId] is { Error: { } error } failed
            ? JobRunner.ToException(error, callId, failed.LogTail, _failures[callId])
            : new WrenException($"Call {callId} of job {JobIds.Format(executorId, record.JobId)} ended {byCall.GetValueOrDefault(callId)?.Status.ToString().ToLowerInvariant() ?? "without a result"}"
                + (byCall.GetValueOrDefault(callId)?.Error is { } message ? $": {message}"
                    : _unreadableStats is { } why ? $"; its job's stats could not be read ({why})" : "; no worker stored its result")));
    }

    private void CloseAll(IJobSink sink, Func<int, Exception> error)
    {
        for (int callId = 0; callId < record.Calls; callId++)
        {
            if (_resolved[callId]) continue;
            Close(callId);
            sink.Failed(callId, error(callId), null);
        }
    }

    private void Close(int callId)
    {
        _resolved[callId] = true;
        _open--;
    }
}
