namespace Wren.Tests.Backends.Lambda;

/// <summary>
/// An executor on Lambda with AWS replaced, shared by a test class: its own moto, the function deployed in it with the
/// real commands, and the fake Lambda service running it.
/// </summary>
public sealed class LambdaExecutorFixture : MotoExecutorFixture
{
    internal LambdaEnvironment Environment => (LambdaEnvironment)EnvironmentObject!;

    private protected override async Task<(IAsyncDisposable Environment, WrenExecutor Executor)> SetUpAsync(MotoServer moto)
    {
        LambdaEnvironment environment = await LambdaEnvironment.CreateAsync(moto);
        return (environment, environment.CreateExecutor());
    }
}
