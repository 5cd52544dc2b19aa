namespace Wren.Tests.Backends.Batch;

/// <summary>
/// An executor on Batch with AWS replaced, shared by a test class: its own moto, the worker bundle and job definitions
/// in it, and the fake Batch service running each child.
/// </summary>
public sealed class BatchExecutorFixture : MotoExecutorFixture
{
    internal BatchEnvironment Environment => (BatchEnvironment)EnvironmentObject!;

    private protected override async Task<(IAsyncDisposable Environment, WrenExecutor Executor)> SetUpAsync(MotoServer moto)
    {
        BatchEnvironment environment = await BatchEnvironment.CreateAsync(moto);
        return (environment, environment.CreateExecutor());
    }
}
