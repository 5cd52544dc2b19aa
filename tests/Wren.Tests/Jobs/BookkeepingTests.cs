using Wren.Jobs;

namespace Wren.Tests.Jobs;

/// <summary>The bookkeeping thread: one piece of work after another, in order, on one thread of the lowest priority.</summary>
public sealed class BookkeepingTests
{
    [Fact]
    public async Task Work_RunsInOrder_OnOneThreadAtNice19()
    {
        var seen = new List<(int Index, string? Name, int? Nice)>();
        int running = 0, overlaps = 0;
        Task[] runs = [.. Enumerable.Range(0, 20).Select(i => Bookkeeping.RunAsync(async () =>
        {
            // Where the work starts; after a wait it may go on elsewhere, while the bookkeeping thread waits for it.
            lock (seen) seen.Add((i, Thread.CurrentThread.Name, Nice()));
            if (Interlocked.Increment(ref running) > 1) Interlocked.Increment(ref overlaps);
            await Task.Delay(1);
            Interlocked.Decrement(ref running);
        }))];
        await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 20), seen.Select(s => s.Index));
        Assert.Equal(0, overlaps);
        Assert.All(seen, s => Assert.Equal("Wren bookkeeping", s.Name));
        if (OperatingSystem.IsLinux()) Assert.All(seen, s => Assert.Equal(19, s.Nice));
    }

    [Fact]
    public async Task FailedWork_FailsItsTask_AndTheThreadGoesOn()
    {
        Task failed = Bookkeeping.RunAsync(() => throw new InvalidOperationException("boom"));
        var after = new TaskCompletionSource<string?>();
        Task next = Bookkeeping.RunAsync(() =>
        {
            after.SetResult(Thread.CurrentThread.Name);
            return Task.CompletedTask;
        });
        Assert.Equal("boom", (await Assert.ThrowsAsync<InvalidOperationException>(() => failed.WaitAsync(TimeSpan.FromSeconds(30)))).Message);
        await next.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("Wren bookkeeping", await after.Task);
    }

    /// <summary>This thread's nice value, from /proc/thread-self/stat (field 19); null where there is none.</summary>
    private static int? Nice()
    {
        if (!File.Exists("/proc/thread-self/stat")) return null;
        string stat = File.ReadAllText("/proc/thread-self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture);
    }
}
