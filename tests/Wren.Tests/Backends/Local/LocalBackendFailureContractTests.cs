namespace Wren.Tests.Backends.Local;

/// <summary>The failure half of the backend contract against the local backend, and what only it does.</summary>
[Trait("Category", "Slow")]
public sealed class LocalBackendFailureContractTests(LocalExecutorFixture fixture) : BackendFailureContractTests, IClassFixture<LocalExecutorFixture>
{
    protected override WrenExecutor Executor => fixture.Executor;

    [Fact]
    public async Task Map_Cancelled_TripsTheTokenOfItsRunningCall() =>
        Assert.True(await CancelledMap_TripsTheTokenOfItsRunningCall() < TimeSpan.FromMinutes(1));

    [Fact]
    public async Task ParallelCalls_WritingToStandardOutputAndErrorAtOnce_DoNotDeadlock()
    {
        // Each call writes lines to both streams, from its own thread and from a task it waits for, while seven others
        // do the same in the same worker: the console's locks must be taken in one order by every writer.
        FutureList<int> futures = Executor.Map((int x) =>
        {
            for (int i = 0; i < 300; i++)
            {
                if (i % 2 == 0) Console.WriteLine($"out {x}.{i}");
                else Console.Error.WriteLine($"err {x}.{i}");
                if (i % 50 == 0) Task.Run(() => Console.Error.WriteLine($"task {x}.{i}")).Wait();
            }
            return x;
        }, Enumerable.Range(0, 8), new MapOptions { ChunkSize = 8, WorkerParallelism = 8 });
        Assert.Equal(Enumerable.Range(0, 8), await futures.GetResultsAsync().WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Map_Detached_IsRefusedInMapSayingWhy()
    {
        var error = Assert.Throws<WrenException>(() => Executor.Map((int x) => x, [1], new MapOptions { Detached = true }));
        Assert.Equal("MapOptions.Detached needs workers that run without this process (Lambda or AWS Batch); the local backend's workers are this process's children. "
            + "Run the Map without Detached, or on Lambda or Batch.", error.Message);
        var notDetached = await Assert.ThrowsAsync<WrenException>(async () =>
        {
            FutureList<int> plain = Executor.Map((int x) => x, [1]);
            await plain.GetResultsAsync();
            await Executor.AttachAsync<int>(plain.JobId);
        });
        Assert.Contains("was not detached", notDetached.Message);
        var missing = await Assert.ThrowsAsync<WrenException>(() => Executor.AttachAsync<int>("nothere-M0001"));
        Assert.StartsWith("There is no job nothere-M0001 in ", missing.Message);
    }
}
