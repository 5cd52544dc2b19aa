namespace Wren.Jobs;

/// <summary>
/// Counts a job's calls by state and reports each change to the Map's progress receiver. Without a receiver it counts
/// nothing: a Map of millions of calls pays for progress only when someone listens.
/// </summary>
internal sealed class ProgressCounter(IProgress<MapProgress>? receiver, int total)
{
    private readonly Lock _lock = new();
    private int _submitted;
    private int _running;
    private int _done;
    private int _failed;

    public void Submitted(int calls) => Change(calls, 0, 0, 0);

    public void Running(int calls) => Change(0, calls, 0, 0);

    public void Requeued(int calls)
    {
        if (calls != 0) Change(-calls, -calls, 0, 0);
    }

    public void Finished(bool succeeded) => Finished(succeeded ? 1 : 0, succeeded ? 0 : 1);

    /// <summary>Counts several calls that ended, as one change.</summary>
    public void Finished(int succeeded, int failed)
    {
        if (succeeded + failed != 0) Change(0, -(succeeded + failed), succeeded, failed);
    }

    private void Change(int submitted, int running, int done, int failed)
    {
        if (receiver is null) return;
        MapProgress report;
        lock (_lock)
        {
            _submitted += submitted;
            _running = Math.Max(0, _running + running);
            _done += done;
            _failed += failed;
            report = new MapProgress(_submitted, _running, _done, _failed, total);
        }
        receiver.Report(report);
    }
}
