namespace Wren.Tests.Backends;

/// <summary>
/// An executor on a cloud backend with AWS replaced, shared by a test class: its own moto, and what the backend needs
/// set up in it (the environment), made by the derived fixture.
/// </summary>
public abstract class MotoExecutorFixture : IAsyncLifetime, IAsyncDisposable
{
    private readonly MotoServer _moto = new();
    private bool _disposed;
    private IAsyncDisposable? _environment;

    public WrenExecutor Executor { get; private set; } = null!;

    private protected IAsyncDisposable? EnvironmentObject => _environment;

    /// <summary>Sets the backend up in the started moto, and makes the executor on it.</summary>
    private protected abstract Task<(IAsyncDisposable Environment, WrenExecutor Executor)> SetUpAsync(MotoServer moto);

    public async Task InitializeAsync()
    {
        await _moto.StartIfInstalledAsync();
        (_environment, Executor) = await SetUpAsync(_moto);
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
    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
