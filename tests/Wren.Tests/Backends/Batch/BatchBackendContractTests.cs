using Wren.Tests.Backends.Lambda;
using Wren.Tests.Support;

namespace Wren.Tests.Backends.Batch;

/// <summary>
/// The backend contract through Batch's path: each Map an array job, each child the worker's Batch entry started as its
/// container would start it (the job definition's command fetches the bundle through a presigned URL), S3 on moto.
/// </summary>
[Trait("Category", "Slow")]
[Collection(BatchContractCollection.Name)]
public sealed class BatchBackendContractTests(BatchBackendContractTests.Fixture fixture) : BackendContractTests, IClassFixture<BatchBackendContractTests.Fixture>
{
    protected override WrenExecutor Executor => fixture.Executor;

    // A Map's default 1,024 MB on Fargate, at its published USD 0.004445 per GB-hour (and one vCPU at 0.04048 per hour).
    protected override int? BilledMemoryMb => 1024;

    protected override decimal PricePerGbSecond => 0.004445m / 3600m;

    [Fact]
    public Task Map_Detached_IsAttachedFromAnotherExecutorAfterItsOwnIsGone() =>
        DetachedMap_IsAttachedFromAnotherExecutorAfterItsOwnIsGone(() => fixture.Environment.CreateExecutor());

    public sealed class Fixture : IAsyncLifetime
    {
        private readonly MotoServer _moto = new();
        private BatchEnvironment? _environment;

        internal BatchEnvironment Environment => _environment!;

        public WrenExecutor Executor { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await _moto.StartIfInstalledAsync();
            _environment = await BatchEnvironment.CreateAsync(_moto);
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

/// <summary>The longest class of the suite (a worker's cold start for every chunk): it starts before the others.</summary>
[CollectionDefinition(Name)]
[StartFirst]
public sealed class BatchContractCollection
{
    public const string Name = "Batch contract";
}
