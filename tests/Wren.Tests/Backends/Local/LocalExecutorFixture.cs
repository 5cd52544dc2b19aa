namespace Wren.Tests.Backends.Local;

/// <summary>One local executor, with its own storage folder and two workers, shared by a test class.</summary>
public sealed class LocalExecutorFixture : IAsyncLifetime
{
    public string StoragePath { get; } = Path.Combine(Path.GetTempPath(), "wren-tests", $"local-{Guid.NewGuid():N}");

    public WrenExecutor Executor { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Executor = WrenExecutor.Create(new WrenOptions { Backend = WrenBackend.Local, StoragePath = StoragePath, LocalWorkers = 2, ConfigPath = "/nonexistent/wren-config.json" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Executor.DisposeAsync();
        try
        {
            Directory.Delete(StoragePath, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
