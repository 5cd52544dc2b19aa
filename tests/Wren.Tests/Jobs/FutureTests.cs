using Wren.Jobs;
using Wren.Protocol;

namespace Wren.Tests.Jobs;

public sealed class FutureTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ATaskAskedForAfterCompletion_HasTheOutcome()
    {
        var states = new FutureStates<int>(2, DateTimeOffset.UnixEpoch);
        states.Succeed(0, 42);
        states.Fail(1, new WrenException("no"));
        // Completing again changes nothing: the first outcome stays.
        states.Fail(0, new WrenException("late"));
        states.Succeed(1, 1);
        Future<int> succeeded = states.FutureOf(0), failed = states.FutureOf(1);

        Assert.Equal(42, await succeeded);
        Assert.Equal("no", (await Assert.ThrowsAsync<WrenException>(() => failed.GetResultAsync())).Message);
        Assert.Equal((FutureStatus.Succeeded, FutureStatus.Failed), (succeeded.Status, failed.Status));
        Assert.True(failed.Completion.IsFaulted);
    }

    [Fact]
    public async Task ATaskAskedForBeforeCompletion_CompletesWithIt()
    {
        var states = new FutureStates<string>(1, DateTimeOffset.UnixEpoch);
        Future<string> future = states.FutureOf(0);
        Task<string> waiting = future.GetResultAsync();
        Assert.False(waiting.IsCompleted);
        states.MarkInvoked(0, 1);
        states.MarkRunning(0);
        Assert.Equal(FutureStatus.Running, future.Status);
        states.Succeed(0, "done");
        Assert.Equal("done", await waiting.WaitAsync(Patience));
    }

    [Fact]
    public async Task AFutureMadeBeforeCompletion_AndOneMadeAfter_BothGetTheOutcome()
    {
        var states = new FutureStates<int>(4, DateTimeOffset.UnixEpoch);
        // Made before: calls 0 and 1, whose tasks are asked for only once they have completed.
        Future<int> before = states.FutureOf(0), failsBefore = states.FutureOf(1);
        Assert.False(before.IsCompleted);
        states.Succeed(0, 10);
        states.Fail(1, new WrenException("one"));
        states.Succeed(2, 20);
        states.Fail(3, new WrenException("three"));
        Future<int> after = states.FutureOf(2), failsAfter = states.FutureOf(3);

        Assert.Equal((10, 20), (await before, await after));
        Assert.Equal("one", (await Assert.ThrowsAsync<WrenException>(() => failsBefore.GetResultAsync())).Message);
        Assert.Equal("three", (await Assert.ThrowsAsync<WrenException>(() => failsAfter.GetResultAsync())).Message);
        Assert.Equal("three", failsAfter.Error!.Message);
        Assert.Null(after.Error);
    }

    [Fact]
    public void FutureOf_GivesTheSameObjectEveryTime_EvenAskedFromManyThreadsAtOnce()
    {
        var states = new FutureStates<int>(3, DateTimeOffset.UnixEpoch);
        Assert.Equal(0, states.FuturesMade);
        Future<int>[] asked = new Future<int>[64];
        Parallel.For(0, asked.Length, i => asked[i] = states.FutureOf(1));
        Assert.All(asked, future => Assert.Same(asked[0], future));
        Assert.Equal(1, asked[0].InputIndex);
        Assert.Equal(1, states.FuturesMade);

        var list = new FutureList<int>("e-M0001", states);
        Assert.Same(asked[0], list[1]);
        Assert.Same(list[2], list[2]);
        Assert.Equal(2, states.FuturesMade);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[3]);
    }

    [Fact]
    public async Task CompletingWhileTasksAreAskedFor_CompletesEveryTask()
    {
        const int Calls = 2_000;
        var states = new FutureStates<int>(Calls, DateTimeOffset.UnixEpoch);
        var asked = new Task<int>[Calls];
        // One thread completes the calls while another makes their futures and tasks: each task gets its outcome whichever comes first.
        Task completing = Task.Run(() =>
        {
            for (int i = 0; i < Calls; i++)
                if (i % 2 == 0) states.Succeed(i, i);
                else states.Fail(i, new WrenException($"{i}"));
        });
        Task asking = Task.Run(() =>
        {
            for (int i = 0; i < Calls; i++) asked[i] = states.FutureOf(i).GetResultAsync();
        });
        await Task.WhenAll(completing, asking).WaitAsync(Patience);
        for (int i = 0; i < Calls; i++)
            if (i % 2 == 0) Assert.Equal(i, await asked[i].WaitAsync(Patience));
            else Assert.Equal($"{i}", (await Assert.ThrowsAsync<WrenException>(() => asked[i].WaitAsync(Patience))).Message);
    }

    [Fact]
    public async Task AwaitingAMap_GivesResultsInOrder_OrEveryFailureInOrder_WithoutMakingAFuture()
    {
        var states = new FutureStates<int>(3, DateTimeOffset.UnixEpoch);
        var list = new FutureList<int>("e-M0001", states);
        Task<int[]> all = list.GetResultsAsync();
        states.Succeed(2, 20);
        states.Succeed(0, 0);
        Assert.False(all.IsCompleted);
        states.Succeed(1, 10);
        int[] results = await all.WaitAsync(Patience);
        Assert.Equal([0, 10, 20], results);
        Assert.Equal(new[] { 0, 10, 20 }, await list);
        Assert.Equal(0, states.FuturesMade);

        var failing = new FutureStates<int>(3, DateTimeOffset.UnixEpoch);
        failing.Fail(2, new WrenException("two"));
        failing.Succeed(1, 1);
        failing.Fail(0, new WrenException("zero"));
        Task<int[]> failed = new FutureList<int>("e-M0002", failing).GetResultsAsync();
        Assert.Equal("zero", (await Assert.ThrowsAsync<WrenException>(() => failed)).Message);
        Assert.Equal(["zero", "two"], failed.Exception!.InnerExceptions.Select(e => e.Message));
        Assert.Equal(0, failing.FuturesMade);
    }

    [Fact]
    public void Stats_ComeFromTheWorkersMeasurements_AsTheyAreRecorded()
    {
        var states = new FutureStates<int>(1, DateTimeOffset.UnixEpoch.AddDays(1));
        // A future made before anything happens reads the job's arrays, so it sees what is recorded later.
        Future<int> future = states.FutureOf(0);
        Assert.Null(future.Stats.StartedAt);
        Assert.Equal(FutureStatus.Pending, future.Status);
        states.MarkInvoked(0, 2);
        Assert.Equal(FutureStatus.Invoked, future.Status);
        var started = new DateTime(2026, 12, 2, 5, 0, 0, DateTimeKind.Utc);
        states.Record(0, new CallStats { Started = started, Ended = started.AddMilliseconds(5), ColdStart = true, WorkerId = "w", BytesIn = 3, BytesOut = 4, BilledMs = 6, PeakMemoryBytes = 7 });
        FutureStats stats = future.Stats;
        Assert.Equal((2, "w", TimeSpan.FromMilliseconds(5), true), (stats.Attempts, stats.WorkerId, stats.Duration!.Value, stats.ColdStart!.Value));
        Assert.Equal((3L, 4L, 7L), (stats.BytesIn, stats.BytesOut!.Value, stats.PeakMemoryBytes!.Value));
        Assert.Equal(TimeSpan.FromMilliseconds(6), stats.BilledDuration);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddDays(1), stats.SubmittedAt);
        states.Succeed(0, 1);
        Assert.Equal(FutureStatus.Succeeded, future.Status);
    }

    [Fact]
    public void CallRecords_ReadTheArrays_WithoutMakingAFuture()
    {
        var states = new FutureStates<int>(3, DateTimeOffset.UnixEpoch);
        states.MarkInvoked(0, 1);
        states.Succeed(0, 5);
        states.MarkInvoked(1, 3);
        states.Fail(1, new WrenTimeoutException(1, TimeSpan.FromSeconds(2)));
        states.Fail(2, new RemoteException("System.ArgumentException", "bad", "at F()", 2, null));

        CallRecord[] records = [.. Enumerable.Range(0, 3).Select(i => CallRecords.From(states, i))];
        Assert.Equal([CallStatus.Succeeded, CallStatus.TimedOut, CallStatus.Failed], records.Select(r => r.Status));
        Assert.Equal([1, 3, 0], records.Select(r => r.Attempts));
        Assert.Equal((null, "System.ArgumentException: bad"), (records[0].Error, records[2].Error));
        Assert.Equal(0, states.FuturesMade);
    }

    [Fact]
    public void JobStats_WrittenFromTheArrays_AreTheCallRecords()
    {
        var states = new FutureStates<int>(6, DateTimeOffset.UnixEpoch.AddDays(3));
        var started = new DateTime(2026, 12, 7, 20, 0, 0, DateTimeKind.Utc);
        var response = new InvocationResponse
        {
            WorkerId = "w2",
            CallIds = [0, 1],
            Outcomes = [(byte)CallOutcome.Succeeded, (byte)CallOutcome.Succeeded],
            OutputLengths = [1, 2],
            Outputs = [1, 2, 3],
            InputLengths = [4, 5],
            Times = InvocationResponse.PackTimes([started.Ticks, started.AddMilliseconds(1).Ticks], [started.AddMilliseconds(1).Ticks, started.AddMilliseconds(3).Ticks]),
            BilledMs = 3,
            ColdCall = 0,
            PeakMemoryBytes = 9_000,
        };
        for (int i = 0; i < 6; i++) states.MarkInvoked(i, i + 1);
        states.Record(0, response, 0, billed: true);
        states.Succeed(0, 10);
        states.Record(1, response, 1, billed: false);
        states.Succeed(1, 11);
        states.Record(2, new CallStats { Started = started, Ended = started.AddMilliseconds(7), WorkerId = "w1", BytesIn = 6, BytesOut = 0, PeakMemoryBytes = 8_000 });
        states.Fail(2, new RemoteException("System.ArgumentException", "bad", "at F()", 2, null));
        states.Fail(3, new WrenTimeoutException(3, TimeSpan.FromSeconds(2)));
        states.Fail(4, new WorkerLostException(4, 5, "gone"));
        states.Fail(5, new OperationCanceledException("stopped"));

        var builder = new JobStats.Builder(6);
        for (int i = 0; i < 6; i++) states.WriteStats(i, builder, i);
        JobStats stats = builder.Build("M0009");

        CallRecord[] records = [.. Enumerable.Range(0, 6).Select(i => CallRecords.From(states, i))];
        Assert.Equal(records, stats.Calls());
        Assert.Equal([CallStatus.Succeeded, CallStatus.Succeeded, CallStatus.Failed, CallStatus.TimedOut, CallStatus.Lost, CallStatus.Cancelled], stats.Calls().Select(c => c.Status));
        Assert.Equal(["w2", "w1"], stats.Workers);
        Assert.Equal([0, 0, 1, -1, -1, -1], stats.WorkerOf);
        Assert.Equal(0, states.FuturesMade);
    }
}
