using Wren.Tests.Support;

namespace Wren.Tests.Backends.Batch;

/// <summary>The failure half of the backend contract through Batch's path.</summary>
[Trait("Category", "Slow")]
[Collection(BatchFailureContractCollection.Name)]
public sealed class BatchBackendFailureContractTests(BatchExecutorFixture fixture) : BackendFailureContractTests, IClassFixture<BatchExecutorFixture>
{
    protected override WrenExecutor Executor => fixture.Executor;

    // A Map's default 1,024 MB on Fargate, at its published USD 0.004445 per GB-hour (and one vCPU at 0.04048 per hour).
    protected override int? BilledMemoryMb => 1024;

    protected override decimal PricePerGbSecond => 0.004445m / 3600m;

    [Fact]
    public Task Map_Detached_IsAttachedFromAnotherExecutorAfterItsOwnIsGone() =>
        DetachedMap_IsAttachedFromAnotherExecutorAfterItsOwnIsGone(() => fixture.Environment.CreateExecutor());
}

/// <summary>The other of the two longest classes of the suite: it starts before the others.</summary>
[CollectionDefinition(Name)]
[StartFirst]
public sealed class BatchFailureContractCollection
{
    public const string Name = "Batch failure contract";
}
