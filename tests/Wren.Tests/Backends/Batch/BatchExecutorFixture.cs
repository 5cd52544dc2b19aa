
namespace Wren.Tests.Backends.Batch;

/// <summary>
/// An executor on Batch with AWS replaced, shared by a test class: its own moto, the worker bundle and job definitions
/// in it, and the fake Batch service running each child.
/// </summary>
public sealed class BatchExecutorFixture : IAsyncLifetime, IAsyncDisposable
{
    private readonly MotoServer _moto = new();
    private bool _disposed;
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
        if (_disposed) return;
        _disposed = true;
        if (Executor is not null) await Executor.DisposeAsync();
        if (_environment is not null) await _environment.DisposeAsync();
        await _moto.DisposeAsync();
    }

    // xunit disposes the fixture through IAsyncLifetime; this makes its ownership of moto visible too, and runs once.
    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());
}
