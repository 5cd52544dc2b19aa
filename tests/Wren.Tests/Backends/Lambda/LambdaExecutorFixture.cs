namespace Wren.Tests.Backends.Lambda;

/// <summary>
/// An executor on Lambda with AWS replaced, shared by a test class: its own moto, the function deployed in it with the
/// real commands, and the fake Lambda service running it.
/// </summary>
public sealed class LambdaExecutorFixture : IAsyncLifetime, IAsyncDisposable
{
    private readonly MotoServer _moto = new();
    private bool _disposed;
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
        if (_disposed) return;
        _disposed = true;
        if (Executor is not null) await Executor.DisposeAsync();
        if (_environment is not null) await _environment.DisposeAsync();
        await _moto.DisposeAsync();
    }

    // xunit disposes the fixture through IAsyncLifetime; this makes its ownership of moto visible too, and runs once.
    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());
}
