namespace Wren.Tests.Backends.Local;

/// <summary>The backend contract against the embedded local backend: real worker processes, storage in a folder.</summary>
public sealed class LocalBackendContractTests(LocalExecutorFixture fixture) : BackendContractTests, IClassFixture<LocalExecutorFixture>
{
    protected override WrenExecutor Executor => fixture.Executor;

    [Fact]
    public async Task Map_Cancelled_TripsTheTokenOfItsRunningCall() =>
        Assert.True(await CancelledMap_TripsTheTokenOfItsRunningCall() < TimeSpan.FromMinutes(1));

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
