namespace Wren.Tests.Support;

/// <summary>moto_server for a test class or collection: started before its first test (when installed), stopped after its last.</summary>
public sealed class MotoFixture : MotoServer, IAsyncLifetime
{
    Task IAsyncLifetime.InitializeAsync() => StartIfInstalledAsync();

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}
