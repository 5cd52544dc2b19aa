using Wren.Tests.Support;

namespace Wren.Tests.Backends.Lambda;

/// <summary>
/// The backend contract through Lambda's execution path: the real bootstrap from the deployment zip, run through the
/// Runtime API by the fake Invoke endpoint, with S3 and the function's configuration on moto.
/// </summary>
[Collection(LambdaCollection.Name)]
public sealed class LambdaBackendContractTests(LambdaBackendContractTests.Fixture fixture) : BackendContractTests, IClassFixture<LambdaBackendContractTests.Fixture>
{
    protected override WrenExecutor Executor => fixture.Executor;

    [Fact]
    public async Task Map_Cancelled_TripsTheTokenOfItsRunningCall() =>
        Assert.True(await CancelledMap_TripsTheTokenOfItsRunningCall() < TimeSpan.FromMinutes(1));

    public sealed class Fixture(MotoServer moto, RuntimePackageFixture package) : IAsyncLifetime
    {
        private LambdaEnvironment? _environment;

        public WrenExecutor Executor { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _environment = await LambdaEnvironment.CreateAsync(moto, package);
            Executor = _environment.CreateExecutor();
        }

        public async Task DisposeAsync()
        {
            if (Executor is not null) await Executor.DisposeAsync();
            if (_environment is not null) await _environment.DisposeAsync();
        }
    }
}
