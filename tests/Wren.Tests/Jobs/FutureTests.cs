using Wren.Jobs;
using Wren.Protocol;

namespace Wren.Tests.Jobs;

public sealed class FutureTests
{
    [Fact]
    public async Task ATaskAskedForAfterCompletion_HasTheOutcome()
    {
        var succeeded = new Future<int>(0, DateTimeOffset.UnixEpoch);
        var failed = new Future<int>(1, DateTimeOffset.UnixEpoch);
        succeeded.Succeed(42);
        failed.Fail(new WrenException("no"));
        // Completing again changes nothing: the first outcome stays.
        succeeded.Fail(new WrenException("late"));
        failed.Succeed(1);

        Assert.Equal(42, await succeeded);
        Assert.Equal("no", (await Assert.ThrowsAsync<WrenException>(() => failed.GetResultAsync())).Message);
        Assert.Equal((FutureStatus.Succeeded, FutureStatus.Failed), (succeeded.Status, failed.Status));
        Assert.True(failed.Completion.IsFaulted);
    }

    [Fact]
    public async Task ATaskAskedForBeforeCompletion_CompletesWithIt()
    {
        var future = new Future<string>(0, DateTimeOffset.UnixEpoch);
        Task<string> waiting = future.GetResultAsync();
        Assert.False(waiting.IsCompleted);
        future.MarkInvoked(1);
        future.MarkRunning();
        Assert.Equal(FutureStatus.Running, future.Status);
        future.Succeed("done");
        Assert.Equal("done", await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task AwaitingAMap_GivesResultsInOrder_OrEveryFailureInOrder()
    {
        var group = new FutureGroup(3);
        Future<int>[] futures = [.. Enumerable.Range(0, 3).Select(i => new Future<int>(i, DateTimeOffset.UnixEpoch, group))];
        var list = new FutureList<int>("e-M0001", futures, group);
        Task<int[]> all = list.GetResultsAsync();
        futures[2].Succeed(20);
        futures[0].Succeed(0);
        Assert.False(all.IsCompleted);
        futures[1].Succeed(10);
        int[] results = await all.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([0, 10, 20], results);

        var failing = new FutureGroup(3);
        Future<int>[] others = [.. Enumerable.Range(0, 3).Select(i => new Future<int>(i, DateTimeOffset.UnixEpoch, failing))];
        others[2].Fail(new WrenException("two"));
        others[1].Succeed(1);
        others[0].Fail(new WrenException("zero"));
        Task<int[]> failed = new FutureList<int>("e-M0002", others, failing).GetResultsAsync();
        Assert.Equal("zero", (await Assert.ThrowsAsync<WrenException>(() => failed)).Message);
        Assert.Equal(["zero", "two"], failed.Exception!.InnerExceptions.Select(e => e.Message));
    }

    [Fact]
    public void Stats_ComeFromTheWorkersMeasurements()
    {
        var future = new Future<int>(0, DateTimeOffset.UnixEpoch.AddDays(1));
        Assert.Null(future.Stats.StartedAt);
        future.MarkInvoked(2);
        var started = new DateTime(2026, 12, 2, 5, 0, 0, DateTimeKind.Utc);
        future.Record(new CallStats { Started = started, Ended = started.AddMilliseconds(5), ColdStart = true, WorkerId = "w", BytesIn = 3, BytesOut = 4, BilledMs = 6, PeakMemoryBytes = 7 });
        FutureStats stats = future.Stats;
        Assert.Equal((2, "w", TimeSpan.FromMilliseconds(5), true), (stats.Attempts, stats.WorkerId, stats.Duration!.Value, stats.ColdStart!.Value));
        Assert.Equal((3L, 4L, 7L), (stats.BytesIn, stats.BytesOut!.Value, stats.PeakMemoryBytes!.Value));
        Assert.Equal(TimeSpan.FromMilliseconds(6), stats.BilledDuration);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddDays(1), stats.SubmittedAt);
    }
}
