namespace Wren.Tests.Backends.Lambda;

/// <summary>The failure half of the backend contract through Lambda's execution path, and Lambda's price per request.</summary>
[Trait("Category", "Slow")]
public sealed class LambdaBackendFailureContractTests(LambdaExecutorFixture fixture) : BackendFailureContractTests, IClassFixture<LambdaExecutorFixture>
{
    protected override WrenExecutor Executor => fixture.Executor;

    // The test function: 512 MB on x86_64, at Lambda's published USD 0.0000166667 per GB-second.
    protected override int? BilledMemoryMb => 512;

    protected override decimal PricePerGbSecond => 0.0000166667m;

    protected override bool OutOfMemoryCanKillTheWorker => true;

    [Fact]
    public async Task Map_Cost_CountsOneRequestPerInvocationAtLambdasPrice()
    {
        FutureList<int> futures = Executor.Map((int x) => x, Enumerable.Range(0, 4), new MapOptions { ChunkSize = 1 });
        await futures.GetResultsAsync().WaitAsync(TimeSpan.FromSeconds(90));
        JobCost cost = futures.Cost;
        Assert.Equal(("lambda", 4, 4L), (cost.Backend, cost.Invocations, cost.Requests));
        Assert.Equal(0.20m / 1_000_000m, cost.PricePerRequestUsd);
        Assert.Equal(4 * cost.PricePerRequestUsd + (decimal)cost.BilledGbSeconds * cost.PricePerGbSecondUsd, cost.EstimatedUsd, 12);
    }

    [Fact]
    public async Task Map_Cancelled_TripsTheTokenOfItsRunningCall() =>
        Assert.True(await CancelledMap_TripsTheTokenOfItsRunningCall() < TimeSpan.FromMinutes(1));

    [Fact]
    public Task Map_Detached_IsAttachedFromAnotherExecutorAfterItsOwnIsGone() =>
        DetachedMap_IsAttachedFromAnotherExecutorAfterItsOwnIsGone(() => fixture.Environment.CreateExecutor());
}
