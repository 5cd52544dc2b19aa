namespace Wren.Tests.Backends.Local;

/// <summary>The backend contract against the embedded local backend: real worker processes, storage in a folder.</summary>
public sealed class LocalBackendContractTests(LocalExecutorFixture fixture) : BackendContractTests, IClassFixture<LocalExecutorFixture>
{
    protected override WrenExecutor Executor => fixture.Executor;

    [Fact]
    public async Task Map_Cancelled_TripsTheTokenOfItsRunningCall() =>
        Assert.True(await CancelledMap_TripsTheTokenOfItsRunningCall() < TimeSpan.FromMinutes(1));
}
