namespace Wren.Tests.Backends.Lambda;

/// <summary>
/// The backend contract through Lambda's execution path: the real bootstrap from the deployment zip, run through the
/// Runtime API by the fake Invoke endpoint, with S3 and the function's configuration on moto.
/// </summary>
[Trait("Category", "Slow")]
public sealed class LambdaBackendContractTests(LambdaExecutorFixture fixture) : BackendContractTests, IClassFixture<LambdaExecutorFixture>
{
    protected override WrenExecutor Executor => fixture.Executor;
}
