using Wren.Deploy.Deployment;

namespace Wren.Tests.Backends.Lambda;

/// <summary>The real deployment package, built once for every test that needs it (a ReadyToRun publish takes a while).</summary>
public sealed class RuntimePackageFixture : IAsyncLifetime
{
    private readonly string _zip = Path.Combine(Path.GetTempPath(), "wren-tests", $"wren-runtime-{Guid.NewGuid():N}.zip");

    internal RuntimePackage Package { get; private set; } = null!;

    public string ZipPath => _zip;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_zip)!);
        Package = await RuntimePackage.BuildAsync(_zip, TextWriter.Null, CancellationToken.None);
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
