namespace Wren.Tests.Backends.Local;

/// <summary>The backend contract against the embedded local backend: real worker processes, storage in a folder.</summary>
[Trait("Category", "Slow")]
public sealed class LocalBackendContractTests(LocalExecutorFixture fixture) : BackendContractTests, IClassFixture<LocalExecutorFixture>
{
    protected override WrenExecutor Executor => fixture.Executor;
}
