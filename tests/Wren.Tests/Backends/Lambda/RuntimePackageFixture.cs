using Wren.Deploy.Deployment;

namespace Wren.Tests.Backends.Lambda;

/// <summary>
/// The real default deployment package: the framework-dependent worker beside the tests (wren-worker/, as the wren tool
/// carries it), zipped once for every test that needs it.
/// </summary>
public sealed class RuntimePackageFixture : IAsyncLifetime
{
    private readonly string _zip = Path.Combine(Path.GetTempPath(), "wren-tests", $"wren-worker-{Guid.NewGuid():N}.zip");

    internal RuntimePackage Package { get; private set; } = null!;

    public string ZipPath => _zip;

    public Task InitializeAsync()
    {
        Package = RuntimePackage.Managed(_zip);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        File.Delete(_zip);
        return Task.CompletedTask;
    }
}

/// <summary>Tests that use the deployment package and moto run one after another, sharing both.</summary>
[CollectionDefinition(Name)]
public sealed class LambdaCollection : ICollectionFixture<RuntimePackageFixture>, ICollectionFixture<Support.MotoServer>
{
    public const string Name = "Lambda (deployment package and moto)";
}
