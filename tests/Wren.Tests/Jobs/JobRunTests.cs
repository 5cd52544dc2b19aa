using System.Buffers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Wren.Backends;
using Wren.Jobs;
using Wren.Protocol;
using Wren.Serialization;
using Wren.Shipping;
using Wren.Storage;

namespace Wren.Tests.Jobs;

/// <summary>
/// The scheduler alone, against a scripted backend and (for speculation) a fake clock: retries of failed calls,
/// lost invocations, calls sent back unrun, rejections, stragglers, cancellation and the fallback, in milliseconds.
/// </summary>
public sealed class JobRunTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly List<ScriptedBackend> _backends = [];

    /// <summary>A job of <paramref name="calls"/> calls whose inputs are 0, 1, 2, ...</summary>
    private static JobSpec Job(int calls, int chunkSize)
    {
        return new JobSpec
        {
            ExecutorId = "test",
            JobId = "M0001",
            Function = new CapturedFunction([1, 2, 3], []),
            FunctionName = "JobRunTests.cs:1",
            Inputs = InputData.Serialize(Enumerable.Range(0, calls).ToArray()),
            Timeout = TimeSpan.FromMinutes(1),
            MemoryMb = 1024,
            ChunkSize = chunkSize,
            Concurrency = 4,
            Retries = 2,
        };
    }

    private ScriptedBackend Backend(Func<InvocationRequest, InvocationSettings, CancellationToken, Task<InvocationOutcome>> script)
    {
        var backend = new ScriptedBackend(script);
        _backends.Add(backend);
        return backend;
    }

    [Fact]
    public async Task ShortJob_GoesOnAPage_AndAJobOfManyCallsIntoItsOwnFolder()
    {
        ScriptedBackend backend = Backend((request, _, _) => Now(ScriptedBackend.Answer(request, (callId, _) => ScriptedBackend.Returned(callId, callId))));
        // On a clock that stands still, neither job has run for the second after which a record is written early.
        JobRunner runner = Runner(backend, new FakeTimeProvider());
        (_, FutureSink<int> few) = Futures(3);
        await runner.RunAsync(Job(3, 3), few, CancellationToken.None).WaitAsync(Patience);
        (_, FutureSink<int> many) = Futures(JobBook.MaxCalls + 1);
        await runner.RunAsync(Job(JobBook.MaxCalls + 1, 500) with { JobId = "M0002" }, many, CancellationToken.None).WaitAsync(Patience);
        Assert.Equal(JobBook.MaxCalls + 1, JobRunner.ReadStats(await backend.Storage.GetAsync(StorageKeys.JobStats("wren", "test", "M0002"))).Statuses.Length);
        Assert.Null(await backend.Storage.GetInfoAsync(StorageKeys.JobStats("wren", "test", "M0001")));
        await runner.Book.FlushAsync();
        using var store = new JobStore(backend.Storage, "wren");
        Assert.Equal([("test-M0001", "wren/jobs/test/page-M0001"), ("test-M0002", null)], (await store.ListAsync()).Select(j => (j.Id, j.Page)).Order());
    }

    /// <summary>A job's stats as `wren plot` reads them, wherever they are stored (its folder, or a page once written).</summary>
    private static async Task<JobStats> StoredStatsAsync(JobRunner runner, IObjectStorage storage, string jobId)
    {
        await runner.Book.FlushAsync();
        using var store = new JobStore(storage, "wren");
        return Assert.IsType<JobStats>(await store.StatsAsync(await store.FindAsync(jobId)));
    }

    private static JobRunner Runner(IComputeBackend backend, TimeProvider? time = null, JobRunner? fallback = null) =>
        new(backend, new CodeUploader(backend.Storage, backend.Location.Prefix), NullLogger.Instance, fallback is null ? null : () => fallback, time);

    /// <summary>A job's sink, and its futures made before it runs.</summary>
    private static (Future<int>[] Futures, FutureSink<int> Sink) Futures(int calls)
    {
        var states = new FutureStates<int>(calls, DateTimeOffset.UnixEpoch);
        return ([.. Enumerable.Range(0, calls).Select(states.FutureOf)], new FutureSink<int>(states, new WrenSerializerOptions()));
    }

    private static Task<InvocationOutcome> Now(InvocationOutcome outcome) => Task.FromResult(outcome);

    [Fact]
    public async Task LargeJob_SendsItsLargestChunksFirst_ShrinkingToTheBalancedSize()
    {
        ScriptedBackend backend = Backend((request, _, _) => Now(ScriptedBackend.Answer(request, (callId, _) => ScriptedBackend.Returned(callId, callId + 1))));
        (Future<int>[] futures, FutureSink<int> sink) = Futures(20_000);
        await Runner(backend).RunAsync(Job(20_000, 1000) with { LargestChunk = 4000, ChunkShare = 4 }, sink, CancellationToken.None).WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(1, 20_000), await Task.WhenAll(futures.Select(f => f.GetResultAsync())));
        int[][] chunks = [.. backend.Invocations.Select(i => i.Request.CallIds).OrderBy(ids => ids[0])];
        Assert.Equal([4000, 4000, 3000, 2250, 1688, 1266, 1000, 1000, 1000, 796], chunks.Select(ids => ids.Length));
        // Each call once, in order, chunk after chunk.
        Assert.Equal(Enumerable.Range(0, 20_000), chunks.SelectMany(ids => ids));
    }

    [Fact]
    public async Task FailedCall_RunsAgainWithTheSameInputAndItsSecondAnswerWins()
    {
        ScriptedBackend backend = Backend((request, _, _) => Now(ScriptedBackend.Answer(request, (callId, attempt) =>
            callId == 1 && attempt == 1 ? ScriptedBackend.Threw(1, "System.IO.IOException", "flaky") : ScriptedBackend.Returned(callId, callId * 10))));
        (Future<int>[] futures, FutureSink<int> sink) = Futures(4);
        await Runner(backend).RunAsync(Job(4, 4) with { RetryFailedCalls = 1 }, sink, CancellationToken.None).WaitAsync(Patience);
        Assert.Equal(new[] { 0, 10, 20, 30 }, await Task.WhenAll(futures.Select(f => f.GetResultAsync())));
        Assert.Equal([1, 2, 1, 1], futures.Select(f => f.Stats.Attempts));
        Assert.Equal([[0, 1, 2, 3], [1]], backend.Invocations.Select(i => i.Request.CallIds));
    }

    [Fact]
    public async Task JobAwaitedWhole_RecordsEveryCallsStats_WithoutMakingAFuture()
    {
        ScriptedBackend backend = Backend((request, _, _) => Now(ScriptedBackend.Answer(request, (callId, attempt) =>
            callId == 2 && attempt == 1 ? ScriptedBackend.Threw(2, "System.IO.IOException", "flaky") : ScriptedBackend.Returned(callId, callId + 1))));
        var states = new FutureStates<int>(5, DateTimeOffset.UnixEpoch);
        var futures = new FutureList<int>("test-M0001", states);
        JobRunner runner = Runner(backend);
        await runner.RunAsync(Job(5, 2) with { RetryFailedCalls = 1 }, new FutureSink<int>(states, new WrenSerializerOptions()), CancellationToken.None).WaitAsync(Patience);
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, await futures);
        JobStats stats = await StoredStatsAsync(runner, backend.Storage, "test-M0001");
        CallRecord[] calls = [.. stats.Calls().OrderBy(c => c.CallId)];
        Assert.Equal([0, 1, 2, 3, 4], calls.Select(c => c.CallId));
        Assert.All(calls, c => Assert.Equal((CallStatus.Succeeded, DateTimeOffset.UnixEpoch), (c.Status, c.StartedAt)));
        Assert.Equal([1, 1, 2, 1, 1], calls.Select(c => c.Attempts));
        Assert.Equal(0, states.FuturesMade);
    }

    [Fact]
    public async Task FailedCall_NotRetriedWhenRetryIfSaysNo_FailsWithItsRemoteException()
    {
        ScriptedBackend backend = Backend((request, _, _) => Now(ScriptedBackend.Answer(request, (callId, _) => ScriptedBackend.Threw(callId, "System.ArgumentException", "bad input"))));
        (Future<int>[] futures, FutureSink<int> sink) = Futures(1);
        JobSpec job = Job(1, 1) with { RetryFailedCalls = 3, RetryIf = e => e.RemoteType != "System.ArgumentException" };
        await Runner(backend).RunAsync(job, sink, CancellationToken.None).WaitAsync(Patience);
        var error = await Assert.ThrowsAsync<RemoteException>(() => futures[0].GetResultAsync());
        Assert.Equal(("System.ArgumentException", "bad input"), (error.RemoteType, error.RemoteMessage));
        Assert.Single(backend.Invocations);
    }

    [Fact]
    public async Task LostInvocation_IsTriedAgainUpToTheRetriesThenFailsAsWorkerLost()
    {
        ScriptedBackend backend = Backend((_, _, _) => Now(new InvocationOutcome.Lost("the sandbox vanished")));
        (Future<int>[] futures, FutureSink<int> sink) = Futures(2);
        await Runner(backend).RunAsync(Job(2, 2) with { Retries = 1 }, sink, CancellationToken.None).WaitAsync(Patience);
        foreach (Future<int> future in futures)
        {
            var error = await Assert.ThrowsAsync<WorkerLostException>(() => future.GetResultAsync());
            Assert.Contains("the sandbox vanished", error.Message);
        }
        Assert.Equal(2, backend.Invocations.Count);
    }

    [Fact]
    public async Task CallsAWorkerDidNotReach_AreSentAgainAndAnswered()
    {
        ScriptedBackend backend = Backend((request, _, _) => Now(ScriptedBackend.Answer(request, (callId, _) =>
            callId == request.CallIds[0] ? ScriptedBackend.Returned(callId, callId + 100) : null)));
        (Future<int>[] futures, FutureSink<int> sink) = Futures(3);
        await Runner(backend).RunAsync(Job(3, 3), sink, CancellationToken.None).WaitAsync(Patience);
        Assert.Equal(new[] { 100, 101, 102 }, await Task.WhenAll(futures.Select(f => f.GetResultAsync())));
        Assert.Equal([[0, 1, 2], [1, 2], [2]], backend.Invocations.Select(i => i.Request.CallIds));
    }

    /// <summary>The answer a worker sends straight back, without its calls' ids: it answers the request's, in order.</summary>
    private static InvocationOutcome Unnamed(InvocationRequest request, int calls)
    {
        InvocationResponse named = WrenProtocol.Unwrap<InvocationResponse>(((InvocationOutcome.Answered)ScriptedBackend.Answer(request,
            (callId, _) => ScriptedBackend.Returned(callId, callId * 10))).Envelope).Message!;
        InvocationResponse[] taken = [named with { CallIds = [] }];
        if (calls < named.Count)
            taken = [taken[0] with { Outcomes = named.Outcomes[..calls], OutputLengths = named.OutputLengths[..calls], Times = InvocationResponse.PackTimes(named.Started[..calls], named.Ended[..calls]) }];
        return new InvocationOutcome.Answered(WrenProtocol.WrapBinary(taken[0]));
    }

    [Fact]
    public async Task AnswerThatDoesNotNameItsCalls_AnswersTheRequestsInOrder()
    {
        ScriptedBackend backend = Backend((request, _, _) => Now(Unnamed(request, request.CallIds.Length)));
        (Future<int>[] futures, FutureSink<int> sink) = Futures(5);

        await Runner(backend).RunAsync(Job(5, 2), sink, CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(new[] { 0, 10, 20, 30, 40 }, await Task.WhenAll(futures.Select(f => f.GetResultAsync())));
    }

    [Fact]
    public async Task AnswerThatDoesNotNameItsCalls_AndAnswersFewerThanAsked_FailsItsChunkSayingSo()
    {
        ScriptedBackend backend = Backend((request, _, _) => Now(Unnamed(request, request.CallIds.Length - 1)));
        (Future<int>[] futures, FutureSink<int> sink) = Futures(2);

        await Runner(backend).RunAsync(Job(2, 2), sink, CancellationToken.None).WaitAsync(Patience);

        foreach (Future<int> future in futures)
        {
            var error = await Assert.ThrowsAsync<WrenException>(() => future.GetResultAsync());
            Assert.Contains("A worker answered 1 calls of an invocation of 2 without naming them", error.Message);
        }
    }

    [Fact]
    public async Task AnswerThatCannotBeRead_FailsItsCalls_InsteadOfLeavingThemWaiting()
    {
        byte[] damaged = [.. WrenProtocol.WrapBinary(new { Hello = 1 })[..8], 0xC1];
        ScriptedBackend backend = Backend((_, _, _) => Now(new InvocationOutcome.Answered(damaged)));
        (Future<int>[] futures, FutureSink<int> sink) = Futures(2);

        await Runner(backend).RunAsync(Job(2, 2), sink, CancellationToken.None).WaitAsync(Patience);

        foreach (Future<int> future in futures) await Assert.ThrowsAnyAsync<WrenException>(() => future.GetResultAsync());
    }

    [Fact]
    public async Task RejectedInvocation_FailsEveryCallOfItsChunkWithTheWorkersReason()
    {
        ScriptedBackend backend = Backend((_, _, _) => Now(new InvocationOutcome.Rejected("Wren.BadRequest", "no inputs")));
        (Future<int>[] futures, FutureSink<int> sink) = Futures(2);
        await Runner(backend).RunAsync(Job(2, 2), sink, CancellationToken.None).WaitAsync(Patience);
        foreach (Future<int> future in futures)
        {
            var error = await Assert.ThrowsAsync<WrenException>(() => future.GetResultAsync());
            Assert.Equal("The scripted worker rejected the invocation (Wren.BadRequest): no inputs", error.Message);
        }
        Assert.Single(backend.Invocations);
    }

    [Fact]
    public async Task Straggler_RunsAgainOnTheFakeClock_AndTheFirstAnswerWins()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var held = new TaskCompletionSource<InvocationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        ScriptedBackend backend = Backend((request, _, _) =>
            request.CallIds is [3] && (request.Attempts?[0] ?? 1) == 1
                ? held.Task
                : Now(ScriptedBackend.Answer(request, (callId, attempt) => ScriptedBackend.Returned(callId, callId == 3 ? 333 : callId))));
        (Future<int>[] futures, FutureSink<int> sink) = Futures(4);
        JobRunner runner = Runner(backend, time);
        Task run = runner.RunAsync(Job(4, 1) with { Speculation = true }, sink, CancellationToken.None);
        await Task.WhenAll(futures[..3].Select(f => f.GetResultAsync())).WaitAsync(Patience);
        Assert.False(futures[3].IsCompleted);
        // Three of four done in 1 s each: a call running past 3 s (three times the median, above the 2 s floor) is a straggler.
        time.Advance(TimeSpan.FromSeconds(2));
        await Task.Delay(100);
        Assert.Equal(4, backend.Invocations.Count);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(333, await futures[3].GetResultAsync().WaitAsync(Patience));
        Assert.Equal([3], backend.Invocations[^1].Request.CallIds);
        Assert.Equal([2], backend.Invocations[^1].Request.Attempts!);
        // The slower run hears that it lost (a marker written in the background), and its answer, when it comes, is dropped.
        string marker = StorageKeys.Call("wren", "test", "M0001", 3, "cancel");
        using (var patience = new CancellationTokenSource(Patience))
            while (await backend.Storage.GetInfoAsync(marker) is null) await Task.Delay(10, patience.Token);
        held.SetResult(ScriptedBackend.Answer(backend.Invocations[3].Request, (callId, _) => ScriptedBackend.Returned(callId, -1)));
        await run.WaitAsync(Patience);
        Assert.Equal(333, await futures[3].GetResultAsync());
        JobStats stats = await StoredStatsAsync(runner, backend.Storage, "test-M0001");
        Assert.Equal(1, stats.Duplicates);
    }

    [Fact]
    public async Task CancelledRun_FailsItsPendingCallsAndLeavesTheMarkerRunningCallsWatch()
    {
        ScriptedBackend backend = Backend(async (_, _, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("not reached");
        });
        (Future<int>[] futures, FutureSink<int> sink) = Futures(2);
        using var cancel = new CancellationTokenSource();
        Task run = Runner(backend).RunAsync(Job(2, 1), sink, cancel.Token);
        while (backend.Invocations.Count < 2) await Task.Delay(10);
        await cancel.CancelAsync();
        await run.WaitAsync(Patience);
        foreach (Future<int> future in futures) await Assert.ThrowsAsync<OperationCanceledException>(() => future.GetResultAsync());
        Assert.NotNull(await backend.Storage.GetInfoAsync(StorageKeys.Cancel("wren", "test", "M0001")));
    }

    [Fact]
    public async Task CallOutOfMemoryWithFallback_RunsAgainOnTheFallbackWithMoreMemoryAndTime()
    {
        ScriptedBackend lambda = Backend((request, _, _) => Now(ScriptedBackend.Answer(request, (callId, _) =>
            callId == 1 ? ScriptedBackend.Threw(1, typeof(OutOfMemoryException).FullName!, "Insufficient memory") : ScriptedBackend.Returned(callId, callId))));
        ScriptedBackend batch = Backend((request, _, _) => Now(ScriptedBackend.Answer(request, (callId, _) => ScriptedBackend.Returned(callId, 99))));
        (Future<int>[] futures, FutureSink<int> sink) = Futures(3);
        await Runner(lambda, fallback: Runner(batch)).RunAsync(Job(3, 3) with { Fallback = true }, sink, CancellationToken.None).WaitAsync(Patience);
        Assert.Equal(new[] { 0, 99, 2 }, await Task.WhenAll(futures.Select(f => f.GetResultAsync())));
        (InvocationRequest request, InvocationSettings settings) = Assert.Single(batch.Invocations);
        Assert.Equal(("M0001b", 1, 4096, TimeSpan.FromHours(1)), (request.JobId, request.CallIds.Length, settings.MemoryMb, settings.CallTimeout));
        Assert.Equal(2, futures[1].Stats.Attempts);
    }

    [Fact]
    public async Task CallsOutgrowingAJobOfLargeFirstChunks_RunOneByOneOnTheFallback()
    {
        ScriptedBackend lambda = Backend((request, _, _) => Now(ScriptedBackend.Answer(request, (callId, _) =>
            ScriptedBackend.Threw(callId, typeof(OutOfMemoryException).FullName!, "Insufficient memory"))));
        ScriptedBackend batch = Backend((request, _, _) => Now(ScriptedBackend.Answer(request, (callId, _) => ScriptedBackend.Returned(callId, callId + 100))));
        (Future<int>[] futures, FutureSink<int> sink) = Futures(40);
        await Runner(lambda, fallback: Runner(batch)).RunAsync(Job(40, 5) with { Fallback = true, LargestChunk = 20, ChunkShare = 4 }, sink, CancellationToken.None).WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(100, 40), await Task.WhenAll(futures.Select(f => f.GetResultAsync())));
        Assert.Equal([10, 8, 6, 5, 5, 5, 1], lambda.Invocations.Select(i => i.Request.CallIds.Length).OrderDescending());
        // Each call that outgrew its chunk gets an invocation of its own, with its own time and memory.
        Assert.Equal(40, batch.Invocations.Count);
        Assert.All(batch.Invocations, invocation => Assert.Single(invocation.Request.CallIds));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ScriptedBackend backend in _backends) await backend.DisposeAsync();
    }
}
