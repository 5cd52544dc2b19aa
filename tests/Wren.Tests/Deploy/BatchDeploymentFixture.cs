using Amazon.S3;
using Wren.Configuration;
using Wren.Storage;
using Wren.Tests.Aws;

namespace Wren.Tests.Deploy;

/// <summary>
/// The real worker bundle, written once by <c>wren deploy-batch --package-only</c>, and moto set up for Batch with a bucket, a config file and one <c>wren deploy-batch</c> already run on it.
/// </summary>
public sealed class BatchDeploymentFixture : IAsyncLifetime
{
    public const string Prefix = "team/wren";
    public const string Name = "wren-bt";
    public const int MaxvCpus = 64;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "wren-tests", $"batch-{Guid.NewGuid():N}");

    public BatchMoto Aws { get; } = new();

    public string BundlePath => Path.Combine(_folder, "bundle", "wren-worker.zip");

    /// <summary>The config file of the first deployment; tests that change it work on a copy (<see cref="CopyConfig"/>).</summary>
    public string ConfigPath => Path.Combine(_folder, "config.json");

    public string Bucket { get; } = $"wren-{Guid.NewGuid():N}"[..24];

    public CliRun Package { get; private set; } = null!;

    /// <summary>The first deployment, or null when moto_server is not installed.</summary>
    public CliRun? FirstDeploy { get; private set; }

    internal WrenConfigFile Config => WrenConfigFile.Read(ConfigPath)!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        Package = await CliRun.RunAsync(_ => null, "deploy-batch", "--package-only", "-o", BundlePath);
        if (Package.ExitCode != 0) throw new InvalidOperationException($"deploy-batch --package-only failed: {Package}");
        await Aws.InitializeAsync();
        if (!Aws.Moto.Available) return;
        using (IAmazonS3 s3 = S3Storage.CreateClient(MotoServer.Region, environment: Aws.Moto.Environment()))
            await s3.PutBucketAsync(Bucket);
        new WrenConfigFile { Bucket = Bucket, Prefix = Prefix, Function = Name, Region = MotoServer.Region }.Write(ConfigPath);
        FirstDeploy = await DeployAsync(ConfigPath);
    }

    /// <summary>Runs <c>wren deploy-batch</c> with the bundle, the network of <see cref="BatchMoto"/> and moto's Batch service role.</summary>
    public Task<CliRun> DeployAsync(string configPath, params string[] options) =>
        CliRun.RunAsync(Aws.Moto.Environment(configPath),
        [
            "deploy-batch", "--bundle", BundlePath, "--subnets", Aws.SubnetId, "--security-groups", Aws.SecurityGroupId,
            "--service-role", Aws.ServiceRoleArn, "--max-vcpus", MaxvCpus.ToString(), .. options,
        ]);

    /// <summary>A copy of the first deployment's config file, for a test to deploy with on its own.</summary>
    internal string CopyConfig(Func<WrenConfigFile, WrenConfigFile>? change = null)
    {
        string path = Path.Combine(_folder, Guid.NewGuid().ToString("N"), "config.json");
        (change is null ? Config : change(Config)).Write(path);
        return path;
    }

    public async Task DisposeAsync()
    {
        await Aws.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
