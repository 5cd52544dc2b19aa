namespace Wren.Jobs;

/// <summary>
/// Which calls of a job are resolved (each exactly once, whichever run answers first), which are running and since
/// when, how long finished ones took, and which were duplicated as stragglers. Thread-safe. What only speculation reads
/// (when calls started, which were duplicated) is kept only for a <paramref name="speculative"/> job: for a Map of
/// 100,000 calls it is 0.9 MB that every other job would allocate and never read.
/// </summary>
internal sealed class CallTracker(int total, bool speculative, Action allResolved, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly int[] _resolved = new int[total];
    private readonly long[]? _runningSince = speculative ? new long[total] : null;
    private readonly bool[]? _duplicated = speculative ? new bool[total] : null;
    private readonly List<double> _durations = [];
    private readonly int _total = total;
    private int _unresolved = total;
    private int _duplicates;

    /// <summary>How many calls were run a second time as stragglers.</summary>
    public int Duplicates => Volatile.Read(ref _duplicates);

    /// <summary>Marks the call resolved; true only for the first run to answer.</summary>
    public bool Resolve(int callId)
    {
        if (!Claim(callId)) return false;
        Counted(1);
        return true;
    }

    /// <summary>
    /// Marks the call resolved without counting it yet (true only for the first run to answer): a response's calls are
    /// claimed one by one and counted at once with <see cref="Counted"/>, one shared update instead of one per call.
    /// </summary>
    public bool Claim(int callId) => Interlocked.Exchange(ref _resolved[callId], 1) == 0;

    /// <summary>Counts <paramref name="claimed"/> calls claimed with <see cref="Claim"/> as resolved.</summary>
    public void Counted(int claimed)
    {
        if (claimed > 0 && Interlocked.Add(ref _unresolved, -claimed) == 0) allResolved();
    }

    public bool IsResolved(int callId) => Volatile.Read(ref _resolved[callId]) != 0;

    /// <summary>Whether the call was run a second time; read without the lock, since it is asked once per answered call, from the threads that take answers at once.</summary>
    public bool WasDuplicated(int callId) => _duplicated is { } duplicated && Volatile.Read(ref duplicated[callId]);

    /// <summary>A worker took the call (the first run's start counts); kept only for a speculative job.</summary>
    public void Started(int callId, long timestamp)
    {
        if (_runningSince is { } since) Interlocked.CompareExchange(ref since[callId], timestamp, 0);
    }

    /// <summary>The tracker's clock now, for <see cref="Started(int, long)"/>: read once for a chunk's calls, which start together.</summary>
    public long Now() => _time.GetTimestamp();

    /// <summary>A run of the call ended, answered or not.</summary>
    public void Stopped(int callId)
    {
        if (_runningSince is { } since) Volatile.Write(ref since[callId], 0);
    }

    /// <summary>A finished call's duration, as its worker measured it.</summary>
    public void Finished(TimeSpan duration)
    {
        lock (_durations) _durations.Add(duration.TotalSeconds);
    }

    /// <summary>
    /// Once <paramref name="share"/> of the calls are resolved, the running calls that have run longer than
    /// <paramref name="factor"/> times the median finished duration (and at least <paramref name="floor"/>), not yet
    /// duplicated; each is marked duplicated as it is returned.
    /// </summary>
    public IReadOnlyList<int> Stragglers(double share, double factor, TimeSpan floor)
    {
        if (_runningSince is not { } runningSince || _duplicated is not { } duplicated) return [];
        if (_total - Volatile.Read(ref _unresolved) < Math.Ceiling(share * _total)) return [];
        double median;
        lock (_durations)
        {
            if (_durations.Count == 0) return [];
            double[] sorted = [.. _durations.Order()];
            median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }
        TimeSpan threshold = TimeSpan.FromSeconds(Math.Max(floor.TotalSeconds, factor * median));
        long now = _time.GetTimestamp();
        var found = new List<int>();
        lock (duplicated)
        {
            for (int callId = 0; callId < _total; callId++)
            {
                long since = Volatile.Read(ref runningSince[callId]);
                if (since == 0 || duplicated[callId] || IsResolved(callId) || _time.GetElapsedTime(since, now) <= threshold) continue;
                Volatile.Write(ref duplicated[callId], true);
                Interlocked.Increment(ref _duplicates);
                found.Add(callId);
            }
        }
        return found;
    }
}
