namespace Wren.Jobs;

/// <summary>
/// The futures of one Map, counted: <see cref="Done"/> completes when the last of them does. Awaiting a whole Map waits
/// on this one count instead of on a task per call.
/// </summary>
internal sealed class FutureGroup(int count)
{
    private readonly TaskCompletionSource _done = NewDone(count);
    private int _open = count;

    /// <summary>Completes when every future of the group has. Its continuations run on the thread that completed the last future.</summary>
    public Task Done => _done.Task;

    private static TaskCompletionSource NewDone(int count)
    {
        var done = new TaskCompletionSource();
        if (count == 0) done.SetResult();
        return done;
    }

    public void OneDone()
    {
        if (Interlocked.Decrement(ref _open) == 0) _done.TrySetResult();
    }
}
