using System.IO.Compression;
using Wren.Backends.Batch;
using Wren.Configuration;
using Wren.Deploy.Deployment;

namespace Wren.Tests.Deploy;

/// <summary><c>wren deploy-batch</c> where it needs no AWS: the Dockerfile, refusals of bad options, and the bundle's archive format.</summary>
public sealed class DeployBatchCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "wren-tests", $"deploy-batch-{Guid.NewGuid():N}");

    private string ConfigPath => Path.Combine(_folder, "config.json");

    public DeployBatchCommandTests()
    {
        Directory.CreateDirectory(_folder);
        new WrenConfigFile { Bucket = "wren-data", Region = "us-east-1" }.Write(ConfigPath);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // No credentials and no endpoint: any call to AWS would fail, so these show the command stops before one.
    private Task<CliRun> RunAsync(params string[] args) => CliRun.RunAsync(name => name == "WREN_CONFIG" ? ConfigPath : null, ["deploy-batch", .. args]);

    [Fact]
    public async Task Dockerfile_PrintsTheImageRecipeForTheStockOrGivenBaseImage()
    {
        CliRun stock = await RunAsync("--dockerfile");
        Assert.Equal(0, stock.ExitCode);
        Assert.Equal(BatchDeploymentSettings.Dockerfile("mcr.microsoft.com/dotnet/runtime:10.0") + Environment.NewLine, stock.Out);
        Assert.Contains("COPY wren-worker.zip /tmp/\n", stock.Out);
        Assert.Contains("FROM mcr.microsoft.com/dotnet/runtime:10.0\n", stock.Out);
        Assert.Empty(stock.Error);

        CliRun cuda = await RunAsync("--dockerfile", "--base-image", "nvidia/cuda:12.4.1-runtime-ubuntu22.04");
        Assert.Equal(0, cuda.ExitCode);
        Assert.Contains("FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n", cuda.Out);
        Assert.Contains("COPY --from=dotnet /usr/share/dotnet /usr/share/dotnet\n", cuda.Out);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"/opt/wren/Wren.LambdaRuntime.dll\", \"--batch\"]", cuda.Out);
        // The last stage is the one that runs; it must be the given base.
        Assert.Equal("FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04", cuda.Out.Split('\n').Last(l => l.StartsWith("FROM ", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("3", "2048", "--vcpus is 3; Fargate offers 0.25, 0.5, 1, 2, 4, 8 or 16.")]
    [InlineData("1", "512", "--memory is 512; with 1 vCPU Fargate allows 2048 to 8192 in steps of 1024 MB.")]
    [InlineData("0.25", "4096", "--memory is 4096; with 0.25 vCPU Fargate allows 512, 1024, 2048 MB.")]
    public async Task SizeFargateCannotRun_IsRefusedInOneLine(string vcpus, string memory, string message)
    {
        CliRun run = await RunAsync("--vcpus", vcpus, "--memory", memory);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"wren deploy-batch: {message}", run.Error.Trim());
    }

    [Fact]
    public async Task ImageAndBundle_AreRefusedTogether()
    {
        CliRun run = await RunAsync("--image", "my/worker:1", "--bundle", "worker.tar.gz");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("wren deploy-batch: --image and --bundle exclude each other", run.Error);
    }

    [Fact]
    public async Task WithoutConfig_SaysToCreateItFirst()
    {
        CliRun run = await CliRun.RunAsync(name => name == "WREN_CONFIG" ? Path.Combine(_folder, "none.json") : null, "deploy-batch");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("run `wren create-config --bucket <bucket>` first", run.Error);
    }

    [Fact]
    public async Task PackageOnly_WritesTheWorkerZipTheSameForTheSameFiles()
    {
        string first = Path.Combine(_folder, "first.zip");
        CliRun run = await RunAsync("--package-only", "-o", first);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(first, run.Out.Trim());
        RuntimePackage second = RuntimePackage.Managed(Path.Combine(_folder, "second.zip"));
        Assert.Equal(RuntimePackage.FromZip(first).Sha256, second.Sha256);
        using ZipArchive zip = ZipFile.OpenRead(first);
        Assert.All(zip.Entries, e => Assert.Equal(Convert.ToInt32("100644", 8), e.ExternalAttributes >>> 16));
        Assert.Contains(zip.Entries, e => e.FullName == "Wren.LambdaRuntime.dll");
    }

    [Fact]
    public void Package_OfAFolderWithoutTheWorker_IsRefusedWithWhatToDo()
    {
        string empty = Path.Combine(_folder, "empty");
        Directory.CreateDirectory(empty);
        var error = Assert.Throws<WrenException>(() => RuntimePackage.Managed(empty, Path.Combine(_folder, "x.zip")));
        Assert.Contains("reinstall the wren tool", error.Message);
    }
}
