using System.Formats.Tar;
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
        Assert.Equal(BatchDeploymentSettings.Dockerfile(BatchDeploymentSettings.StockImage) + Environment.NewLine, stock.Out);
        Assert.Contains($"ADD {WorkerBundle.FileName} /opt/wren/", stock.Out);
        Assert.Empty(stock.Error);

        CliRun cuda = await RunAsync("--dockerfile", "--base-image", "nvidia/cuda:12.4.1-runtime-ubuntu22.04");
        Assert.Equal(0, cuda.ExitCode);
        Assert.Contains("FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n", cuda.Out);
        Assert.Contains($"ENTRYPOINT [\"{BatchDeploymentSettings.CustomImageWorker}\", \"{BatchDeploymentSettings.BatchModeArgument}\"]", cuda.Out);
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
    public void WorkerBundle_KeepsFoldersAndModesAndIsTheSameForTheSameFiles()
    {
        string runtime = Path.Combine(_folder, "runtime");
        Directory.CreateDirectory(Path.Combine(runtime, "de"));
        File.WriteAllText(Path.Combine(runtime, "bootstrap"), "#!/bin/sh\n");
        File.WriteAllText(Path.Combine(runtime, "Wren.LambdaRuntime.dll"), "dll");
        File.WriteAllText(Path.Combine(runtime, "de", "System.CommandLine.resources.dll"), "resources");

        WorkerBundle first = WorkerBundle.Write(runtime, Path.Combine(_folder, "first.tar.gz"));
        File.SetLastWriteTimeUtc(Path.Combine(runtime, "bootstrap"), DateTime.UtcNow.AddDays(-3));
        WorkerBundle second = WorkerBundle.Write(runtime, Path.Combine(_folder, "second.tar.gz"));

        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Equal(new FileInfo(first.TarGzPath).Length, first.Size);
        using FileStream stream = File.OpenRead(first.TarGzPath);
        Dictionary<string, TarEntry> entries = DeployBatchTests.ReadTarGz(stream);
        Assert.Equal(["Wren.LambdaRuntime.dll", "bootstrap", "de/", "de/System.CommandLine.resources.dll"], entries.Keys);
        Assert.Equal((UnixFileMode)0b111_101_101, entries["bootstrap"].Mode);
        Assert.Equal((UnixFileMode)0b110_100_100, entries["Wren.LambdaRuntime.dll"].Mode);
        Assert.Equal(TarEntryType.Directory, entries["de/"].EntryType);
        Assert.Equal((UnixFileMode)0b111_101_101, entries["de/"].Mode);
    }

    [Fact]
    public void WorkerBundle_WithoutBootstrap_IsRefused()
    {
        string runtime = Path.Combine(_folder, "empty");
        Directory.CreateDirectory(runtime);
        Assert.Throws<WrenException>(() => WorkerBundle.Write(runtime, Path.Combine(_folder, "x.tar.gz")));
    }
}
