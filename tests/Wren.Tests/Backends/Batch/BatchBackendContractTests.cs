using Wren.Tests.Support;

namespace Wren.Tests.Backends.Batch;

/// <summary>
/// The backend contract through Batch's path: each Map an array job, each child the worker's Batch entry started as its
/// container would start it (the job definition's command fetches the bundle through a presigned URL), S3 on moto.
/// </summary>
[Trait("Category", "Slow")]
[Collection(BatchContractCollection.Name)]
public sealed class BatchBackendContractTests(BatchExecutorFixture fixture) : BackendContractTests, IClassFixture<BatchExecutorFixture>
{
    protected override WrenExecutor Executor => fixture.Executor;
}

/// <summary>One of the two longest classes of the suite (a worker's cold start for every chunk): it starts before the others.</summary>
[CollectionDefinition(Name)]
[StartFirst]
public sealed class BatchContractCollection
{
    public const string Name = "Batch contract";
}
