namespace Wren.Tests.Backends.Local;

[Trait("Category", "Slow")]
public sealed class ExecutorDisposalTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wren-dispose-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Disposing_WritesTheLastShortJobsRecordsAndStats()
    {
        string store = Path.Combine(_folder, "store");
        string jobId;
        await using (WrenExecutor executor = WrenExecutor.Create(new WrenOptions
        {
            Backend = WrenBackend.Local,
            StoragePath = store,
            ConfigPath = Path.Combine(_folder, "no-config.json"),
            LocalWorkers = 1,
        }))
        {
            Future<int> call = executor.CallAsync((int x) => x * 3, 14);
            Assert.Equal(42, await call.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(60)));
            jobId = $"{executor.Id}-M0001";
        }
        using var files = new Wren.Storage.FileStorage(store);
        using var jobs = new Wren.Jobs.JobStore(files, "wren");
        Wren.Jobs.JobStore.Summary job = Assert.Single(await jobs.ListAsync());
        Assert.Equal((jobId, 1, 1, 0), (job.Id, job.Calls, job.Succeeded, job.Failed));
        Assert.NotNull(job.Page);
        Assert.Equal(Wren.Jobs.CallStatus.Succeeded, Assert.Single((await jobs.StatsAsync(job))!.Calls()).Status);
    }

    [Fact]
    public async Task DisposingFromSeveralThreadsAtOnce_StopsOnce_AndRefusesNewMaps()
    {
        await using WrenExecutor executor = WrenExecutor.Create(new WrenOptions
        {
            Backend = WrenBackend.Local,
            StoragePath = Path.Combine(_folder, "store"),
            ConfigPath = Path.Combine(_folder, "no-config.json"),
            LocalWorkers = 1,
        });
        int[] warm = await executor.Map((int x) => x + 1, [1, 2]);
        Assert.Equal([2, 3], warm);
        FutureList<int> running = executor.Map((int x) =>
        {
            Thread.Sleep(200);
            return x;
        }, [1, 2, 3]);

        using var start = new Barrier(8);
        Task[] disposals = [.. Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            start.SignalAndWait();
            await executor.DisposeAsync();
        }))];
        await Task.WhenAll(disposals).WaitAsync(TimeSpan.FromSeconds(60));

        // The Map still running when the executor went away fails, and no new Map is taken.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.GetResultsAsync());
        Assert.Throws<ObjectDisposedException>(() => executor.Map((int x) => x, [1]));
    }
}
