using Wren.Tests.Support;

namespace Wren.Tests.Backends.Lambda;

/// <summary>
/// The backend contract through Lambda's execution path: the real bootstrap from the deployment zip, run through the
/// Runtime API by the fake Invoke endpoint, with S3 and the function's configuration on moto.
/// </summary>
[Trait("Category", "Slow")]
public sealed class LambdaBackendContractTests(LambdaBackendContractTests.Fixture fixture) : BackendContractTests, IClassFixture<LambdaBackendContractTests.Fixture>
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

    public sealed class Fixture : IAsyncLifetime
    {
        private readonly MotoServer _moto = new();
        private LambdaEnvironment? _environment;

        internal LambdaEnvironment Environment => _environment!;

        public WrenExecutor Executor { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await _moto.StartIfInstalledAsync();
            _environment = await LambdaEnvironment.CreateAsync(_moto);
            Executor = _environment.CreateExecutor();
        }

        public async Task DisposeAsync()
        {
            if (Executor is not null) await Executor.DisposeAsync();
            if (_environment is not null) await _environment.DisposeAsync();
            await _moto.DisposeAsync();
        }
    }
}
