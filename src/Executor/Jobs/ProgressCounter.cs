namespace Wren.Jobs;

/// <summary>Counts a job's calls by state and reports each change to the Map's progress receiver.</summary>
internal sealed class ProgressCounter(IProgress<MapProgress>? receiver, int total)
{
    private readonly Lock _lock = new();
    private int _submitted;
    private int _running;
    private int _done;
    private int _failed;

    public void Submitted(int calls) => Change(() => _submitted += calls);

    public void Running(int calls) => Change(() => _running += calls);

    public void Requeued(int calls) => Change(() =>
    {
        _submitted -= calls;
        _running = Math.Max(0, _running - calls);
    });

    public void Finished(bool succeeded) => Change(() =>
    {
        _running = Math.Max(0, _running - 1);
        if (succeeded) _done++;
        else _failed++;
    });

    private void Change(Action change)
    {
        MapProgress report;
        lock (_lock)
        {
            change();
            report = new MapProgress(_submitted, _running, _done, _failed, total);
        }
        receiver?.Report(report);
    }
}
