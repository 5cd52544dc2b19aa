using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Wren.Jobs;

/// <summary>
/// Where a finished job's bookkeeping runs (its stats made from every call, its record and stats written to storage):
/// one background thread for the process, at the lowest scheduling priority the system gives a thread without
/// privileges (nice 19 on Linux), one piece of work after another. Run on the thread pool, each job's two file writes
/// held the threads that the next call's continuations needed: a loop of awaited <c>CallAsync</c>s had a p90 of 3 to
/// 4 ms, against 0.2 to 0.3 ms without the writes (docs/performance.md). Here they take what the calls leave.
/// </summary>
internal static partial class Bookkeeping
{
    private static readonly BlockingCollection<(Func<Task> Work, TaskCompletionSource Done)> Queue = [];
    private static readonly Lazy<Thread> Worker = new(Start);

    /// <summary>Runs <paramref name="work"/> on the bookkeeping thread, after the work queued before it; completes when it has.</summary>
    public static Task RunAsync(Func<Task> work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Worker.Value;
        Queue.Add((work, done));
        return done.Task;
    }

    private static Thread Start()
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = "Wren bookkeeping" };
        thread.Start();
        return thread;
    }

    private static void Loop()
    {
        LowerPriority();
        foreach ((Func<Task> work, TaskCompletionSource done) in Queue.GetConsumingEnumerable())
        {
            try
            {
                // Waited for here: writes to local storage complete at once, and one piece of work at a time is the point.
                work().GetAwaiter().GetResult();
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        }
    }

    /// <summary>Gives this thread the weakest claim on a core: on Linux, nice 19 for it alone. Elsewhere it stays as it is.</summary>
    private static void LowerPriority()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            // setpriority(PRIO_PROCESS, tid) sets one thread's nice value on Linux; lowering it needs no privilege.
            _ = SetPriority(0, GetThreadId(), 19);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A libc without them: the thread keeps the normal priority.
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
