using System.IO.Compression;
using Wren.Aws.Lambda;
using Wren.Backends.Lambda;
using Wren.Configuration;
using Wren.Tests.Deploy;
using Wren.Tests.Support;

namespace Wren.Tests.Backends.Lambda;

/// <summary>deploy-lambda against moto, and what only the Lambda backend does: throttling, asynchronous invocations,
/// protocol checks, a missing function, log tails.</summary>
[Trait("Category", "Slow")]
public sealed class LambdaDeploymentTests(MotoFixture moto) : IClassFixture<MotoFixture>, IAsyncLifetime
{
    private LambdaEnvironment _environment = null!;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public async Task InitializeAsync() => _environment = await LambdaEnvironment.CreateAsync(moto, memoryMb: 768, timeoutSeconds: 45);

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task DeployLambda_CreatesTheFunctionAsConfigured()
    {
        using LambdaClient lambda = _environment.MotoLambda();
        FunctionConfiguration function = (await lambda.GetFunctionConfigurationAsync(LambdaEnvironment.FunctionName))!;
        WrenConfigFile config = WrenConfigFile.Read(_environment.ConfigPath)!;
        Assert.Equal("dotnet10", function.Runtime);
        Assert.Equal("Wren.LambdaRuntime", function.Handler);
        Assert.DoesNotContain("::", function.Handler);
        Assert.Equal(config.RoleArn, function.Role);
        Assert.Equal(768, function.MemorySize);
        Assert.Equal(45, function.Timeout);
        Assert.Equal(["x86_64"], function.Architectures!);
        Assert.Equal($"{Wren.Protocol.WrenProtocol.Version}", function.Environment!.Variables[LambdaDeploymentSettings.ProtocolVariable]);
        Assert.InRange(function.CodeSize ?? 0, 100_000, 5 * 1024 * 1024);
        EventInvokeConfig retries = (await lambda.GetFunctionEventInvokeConfigAsync(LambdaEnvironment.FunctionName))!;
        Assert.Equal(0, retries.MaximumRetryAttempts);
    }

    [Fact]
    public async Task DeployLambda_Twice_UpdatesInPlace()
    {
        CliRun again = await CliRun.RunAsync(_environment.Moto.Environment(_environment.ConfigPath), "deploy-lambda", "--zip", WorkerPackage.ZipPath, "--memory", "1024");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("Updating function", again.Error);
        using LambdaClient lambda = _environment.MotoLambda();
        FunctionConfiguration function = (await lambda.GetFunctionConfigurationAsync(LambdaEnvironment.FunctionName))!;
        Assert.Equal(1024, function.MemorySize);
        Assert.Equal(45, function.Timeout);
        Assert.Equal(1024, WrenConfigFile.Read(_environment.ConfigPath)!.MemoryMb);
    }

    [Fact]
    public async Task DeployLambda_WithoutRole_SaysToCreateIt()
    {
        string configPath = Path.Combine(Path.GetTempPath(), "wren-tests", Guid.NewGuid().ToString("N"), "config.json");
        (WrenConfigFile.Read(_environment.ConfigPath)! with { RoleArn = null }).Write(configPath);
        CliRun run = await CliRun.RunAsync(_environment.Moto.Environment(configPath), "deploy-lambda", "--zip", WorkerPackage.ZipPath);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"wren deploy-lambda: No execution role in {configPath}: run `wren create-role` first.", run.Error.Trim());
    }

    [Fact]
    public void Package_IsTheFrameworkDependentWorkerAtItsRoot()
    {
        using ZipArchive zip = ZipFile.OpenRead(WorkerPackage.ZipPath);
        string[] names = [.. zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal)];
        Assert.Equal(["AWSSDK.Core.dll", "AWSSDK.S3.dll", "Wren.Core.dll", "Wren.LambdaRuntime.deps.json", "Wren.LambdaRuntime.dll", "Wren.LambdaRuntime.runtimeconfig.json"], names);
        using var config = System.Text.Json.JsonDocument.Parse(zip.GetEntry("Wren.LambdaRuntime.runtimeconfig.json")!.Open());
        System.Text.Json.JsonElement framework = config.RootElement.GetProperty("runtimeOptions").GetProperty("framework");
        Assert.Equal("Microsoft.NETCore.App", framework.GetProperty("name").GetString());
        Assert.StartsWith("10.0", framework.GetProperty("version").GetString());
        Assert.InRange(new FileInfo(WorkerPackage.ZipPath).Length, 100_000, 5 * 1024 * 1024);
    }

    [Fact]
    public async Task DeployLambda_Arm64_SetsTheArchitectureAndRunsTheSamePackage()
    {
        CliRun arm = await CliRun.RunAsync(_environment.Moto.Environment(_environment.ConfigPath), "deploy-lambda", "--arch", "arm64");
        Assert.True(arm.ExitCode == 0, arm.ToString());
        using LambdaClient lambda = _environment.MotoLambda();
        FunctionConfiguration function = (await lambda.GetFunctionConfigurationAsync(LambdaEnvironment.FunctionName))!;
        Assert.Equal(["arm64"], function.Architectures!);
        Assert.Equal("dotnet10", function.Runtime);
        Assert.Equal(WorkerPackage.Package.Size, function.CodeSize);
        _environment.Lambda.Refresh();
        await using WrenExecutor executor = _environment.CreateExecutor();
        int[] squares = await executor.Map((int x) => x * x, [0, 1, 2]).GetResultsAsync().WaitAsync(Patience);
        Assert.Equal([0, 1, 4], squares);
    }

    [Theory]
    [InlineData("--arch", "sparc", "sparc")]
    [InlineData("--runtime", "dotnet8", "dotnet8")]
    public async Task DeployLambda_UnknownRuntimeOrArchitecture_IsRefused(string option, string value, string quoted)
    {
        CliRun run = await CliRun.RunAsync(_environment.Moto.Environment(_environment.ConfigPath), "deploy-lambda", option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(quoted, run.Error);
    }

    [Fact]
    public async Task Map_WhileThrottled_WaitsItOutAndCompletes()
    {
        var loggers = new Support.MemoryLoggerFactory();
        await using WrenExecutor executor = _environment.CreateExecutor(loggers: loggers);
        _environment.Lambda.Throttle(6);
        int before = _environment.Lambda.Invocations;
        FutureList<int> futures = executor.Map((int x) => x + 1, Enumerable.Range(0, 8), new MapOptions { ChunkSize = 2 });
        int[] results = await futures.GetResultsAsync().WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(1, 8), results);
        Assert.Equal(4 + 6, _environment.Lambda.Invocations - before);
        // Each throttled attempt is logged; only the four that ran are billed.
        Assert.Equal(6, loggers.Entries.Count(e => e.Event.Id == 8 && e.Message.StartsWith("Lambda answered Invoke with 429 TooManyRequestsException", StringComparison.Ordinal)));
        Assert.Equal((4, 4L), (futures.Cost.Invocations, futures.Cost.Requests));
    }

    [Fact]
    public async Task Map_AsynchronousInvocations_ReadResultsFromS3()
    {
        await using WrenExecutor executor = _environment.CreateExecutor(InvocationType.Event);
        FutureList<string> futures = executor.Map((int x) => new string('w', x), [1, 2, 3], new MapOptions { ChunkSize = 1 });
        Assert.Equal(["w", "ww", "www"], await futures.GetResultsAsync().WaitAsync(Patience));
        var error = await Assert.ThrowsAsync<RemoteException>(() => executor.CallAsync((int x) => x > 0 ? throw new FormatException("async boom") : x, 1).GetResultAsync().WaitAsync(Patience));
        Assert.Equal("async boom", error.RemoteMessage);
    }

    [Fact]
    public async Task Map_FunctionOfAnotherProtocol_FailsWithWhatToRun()
    {
        using LambdaClient lambda = _environment.MotoLambda();
        FunctionConfiguration current = (await lambda.GetFunctionConfigurationAsync(LambdaEnvironment.FunctionName))!;
        await lambda.CreateFunctionAsync(new CreateFunctionRequest
        {
            FunctionName = "wren-old-runtime",
            Runtime = "dotnet10",
            Handler = "Wren.LambdaRuntime",
            Role = current.Role!,
            Code = new FunctionCode { ZipFile = Convert.ToBase64String(await File.ReadAllBytesAsync(WorkerPackage.ZipPath)) },
            Environment = new FunctionEnvironment { Variables = new() { [LambdaDeploymentSettings.ProtocolVariable] = "0" } },
        });
        await using WrenExecutor executor = _environment.CreateExecutor(function: "wren-old-runtime");
        var error = await Assert.ThrowsAsync<ProtocolMismatchException>(() => executor.CallAsync((int x) => x, 1).GetResultAsync().WaitAsync(Patience));
        Assert.Contains($"speaks protocol 0 and this client speaks {Wren.Protocol.WrenProtocol.Version}: run `wren deploy-lambda`", error.Message);
    }

    [Fact]
    public async Task Map_FunctionNotDeployed_SaysToDeployIt()
    {
        await using WrenExecutor executor = _environment.CreateExecutor(function: "never-deployed");
        var error = await Assert.ThrowsAsync<WrenException>(() => executor.CallAsync((int x) => x, 1).GetResultAsync().WaitAsync(Patience));
        Assert.Contains("Lambda function never-deployed does not exist in region us-east-1: run `wren deploy-lambda`", error.Message);
    }

    [Fact]
    public async Task RemoteException_CarriesTheLogTail()
    {
        await using WrenExecutor executor = _environment.CreateExecutor();
        var error = await Assert.ThrowsAsync<RemoteException>(() => executor.CallAsync((int x) =>
        {
            Console.WriteLine($"about to fail on {x}");
            return x > 0 ? throw new InvalidOperationException("logged failure") : x;
        }, 7).GetResultAsync().WaitAsync(Patience));
        Assert.Contains("about to fail on 7", error.LogTail);
        Assert.Contains("about to fail on 7", error.Message);
    }

    [Fact]
    public async Task Invocation_PastTheFunctionTimeout_IsLostAndRetriedThenFails()
    {
        await using WrenExecutor executor = await RedeployWithTimeoutAsync(3);
        // With no timeout of its own, the call gets the function's: Lambda's deadline is what stops it.
        Future<int> future = executor.CallAsync((int x) =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(30));
            return x;
        }, 1, new MapOptions { Retries = 0 });
        var error = await Assert.ThrowsAsync<WrenTimeoutException>(() => future.GetResultAsync().WaitAsync(Patience));
        Assert.Equal(0, error.InputIndex);
        Assert.Contains("reached its deadline (the Lambda function's timeout)", error.Message);
        Assert.Contains("wren deploy-lambda --timeout", error.Message);
    }

    [Fact]
    public async Task Map_WithoutATimeout_RunsAtTheFunctionsAndKeepsAChunkInOneInvocation()
    {
        await using WrenExecutor executor = await RedeployWithTimeoutAsync(12);
        int before = _environment.Lambda.Invocations;
        // 280 calls of 30 ms (8.4 s) in one chunk of a 12-second function: they fit, so the worker runs them all in one
        // invocation (reserving a quarter of the call timeout, as it once did, would have stopped at 7 s).
        FutureList<int> futures = executor.Map((int x) =>
        {
            Thread.Sleep(30);
            return x + 1;
        }, Enumerable.Range(0, 280), new MapOptions { ChunkSize = 280 });
        int[] results = await futures.GetResultsAsync().WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(1, 280), results);
        Assert.Equal(1, _environment.Lambda.Invocations - before);
    }

    [Fact]
    public async Task Map_WithATimeoutLongerThanTheFunctions_IsRefusedWithBothNumbersAndTheFix()
    {
        await using WrenExecutor executor = _environment.CreateExecutor();
        var error = await Assert.ThrowsAsync<WrenException>(() => executor.Map((int x) => x, [1], new MapOptions { Timeout = TimeSpan.FromMinutes(5) }).GetResultsAsync().WaitAsync(Patience));
        Assert.Equal("MapOptions.Timeout is 300 s, longer than the lambda function's timeout of 45 s: raise the function's with `wren deploy-lambda --timeout 300`, or give a Timeout of at most 45 s.", error.Message);
    }

    [Fact]
    public async Task Map_WhileS3AndLambdaFault_EndsEveryCallWithItsOneCorrectResult()
    {
        // 40% of the client's S3 requests answer 503 SlowDown or drop the connection; 10% of invocations answer 429, or
        // run and then answer 502, or run and then drop the connection (so the function runs twice).
        using FaultyS3Handler s3 = FaultyS3Handler.AtRate(0.4, seed: 11);
        _environment.Lambda.InjectFaults(0.1, seed: 7);
        await using WrenExecutor executor = _environment.CreateExecutor(s3: s3);
        // Small inputs travel in the invocation; the large ones through S3, as do the large results.
        FutureList<int> small = executor.Map((int x) => x * 3, Enumerable.Range(0, 60), new MapOptions { ChunkSize = 1 });
        FutureList<int> large = executor.Map((byte[] block) => block.Sum(b => (int)b), Enumerable.Range(0, 6).Select(i => Enumerable.Repeat((byte)i, 1_500_000).ToArray()), new MapOptions { ChunkSize = 1 });
        FutureList<string> results = executor.Map((int n) => new string('r', n), [5, 7_000_000], new MapOptions { ChunkSize = 1 });
        Assert.Equal(Enumerable.Range(0, 60).Select(x => x * 3), await small.GetResultsAsync().WaitAsync(Patience));
        Assert.Equal(Enumerable.Range(0, 6).Select(i => i * 1_500_000), await large.GetResultsAsync().WaitAsync(Patience));
        Assert.Equal([5, 7_000_000], (await results.GetResultsAsync().WaitAsync(Patience)).Select(r => r.Length));
        Assert.True(s3.Faults > 0 && _environment.Lambda.Faults > 0, $"faults injected: S3 {s3.Faults} of {s3.Requests}, Lambda {_environment.Lambda.Faults}");
    }

    /// <summary>Where a call ran, as Lambda tells the function: its name and memory size.</summary>
    private static string WhereItRan(int _) =>
        $"{Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_NAME")} {Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")}";

    [Fact]
    public async Task DeployLambda_SeveralSizes_DeploysOneFunctionEachAndEachMapRunsOnTheSmallestThatFits()
    {
        await DeploySizesAsync("1024,384");
        using LambdaClient lambda = _environment.MotoLambda();
        foreach ((string name, int memory) in new[] { ($"{LambdaEnvironment.FunctionName}-384mb", 384), ($"{LambdaEnvironment.FunctionName}-1024mb", 1024) })
        {
            FunctionConfiguration function = (await lambda.GetFunctionConfigurationAsync(name))!;
            Assert.Equal(memory, function.MemorySize);
            Assert.Equal(45, function.Timeout);
            Assert.Equal(0, (await lambda.GetFunctionEventInvokeConfigAsync(name))!.MaximumRetryAttempts);
        }
        WrenConfigFile config = WrenConfigFile.Read(_environment.ConfigPath)!;
        Assert.Equal([new LambdaFunctionSize($"{LambdaEnvironment.FunctionName}-384mb", 384), new LambdaFunctionSize($"{LambdaEnvironment.FunctionName}-1024mb", 1024)], config.LambdaFunctions!);
        Assert.Equal(384, config.MemoryMb);

        await using WrenExecutor executor = _environment.CreateExecutor(function: null);
        // Asking for nothing runs at the configured size, the smallest; asking for 600 MB at the smallest with that much.
        Assert.Equal([$"{LambdaEnvironment.FunctionName}-384mb 384"], await executor.Map(WhereItRan, [0]).GetResultsAsync().WaitAsync(Patience));
        FutureList<string> larger = executor.Map(WhereItRan, [0, 1], new MapOptions { MemoryMb = 600 });
        Assert.Equal([$"{LambdaEnvironment.FunctionName}-1024mb 1024", $"{LambdaEnvironment.FunctionName}-1024mb 1024"], await larger.GetResultsAsync().WaitAsync(Patience));
        // Billed at the function's 1 GB, whatever the Map asked for.
        double billedSeconds = larger.Sum(f => f.Stats.BilledDuration!.Value.TotalSeconds);
        Assert.Equal(billedSeconds, larger.Cost.BilledGbSeconds, 6);
        // More than any deployed size: refused in Map, with the command that deploys it.
        var error = Assert.Throws<WrenException>(() => executor.Map(WhereItRan, [0], new MapOptions { MemoryMb = 2048 }));
        Assert.Equal("This Map asks for 2048 MB, more than the Lambda functions deployed (384, 1024 MB) give: deploy that size too with "
            + "`wren deploy-lambda --memory 384,1024,2048`, ask for at most 1024 MB, or set up AWS Batch (`wren deploy-batch`) to run such Maps there.", error.Message);
    }

    [Fact]
    public async Task Map_OutOfMemoryWithBatchFallback_StepsUpToTheNextDeployedSize()
    {
        await DeploySizesAsync("384,1024");
        await using WrenExecutor executor = _environment.CreateExecutor(function: null);
        FutureList<string> futures = executor.Map((int mb) =>
        {
            byte[] block = new byte[mb * 1024 * 1024];
            block[^1] = 1;
            return $"{block.Length / 1024 / 1024} MB at {Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")}";
        }, [16, 600], new MapOptions { BatchFallback = true });
        Assert.Equal(["16 MB at 384", "600 MB at 1024"], await futures.GetResultsAsync().WaitAsync(Patience));
        Assert.Equal(3, futures.Cost.Invocations);
        Assert.Equal([1, 2], futures.Select(f => f.Stats.Attempts));
    }

    [Fact]
    public async Task Map_AskingForMoreMemoryThanTheOneFunctionHas_IsRefusedWithTheCommand()
    {
        await using WrenExecutor executor = _environment.CreateExecutor();
        var error = await Assert.ThrowsAsync<WrenException>(() => executor.Map(WhereItRan, [0], new MapOptions { MemoryMb = 2048 }).GetResultsAsync().WaitAsync(Patience));
        Assert.Contains("asks for 2048 MB, more than the Lambda function deployed (768 MB) give: deploy that size too with `wren deploy-lambda --memory 768,2048`", error.Message);
        // Less than the function has runs on it: never less memory than asked.
        Assert.Equal([$"{LambdaEnvironment.FunctionName} 768"], await executor.Map(WhereItRan, [0], new MapOptions { MemoryMb = 256 }).GetResultsAsync().WaitAsync(Patience));
    }

    [Theory]
    [InlineData("1024,lots", "--memory is '1024,lots'; give a size in MB, or several separated by commas: --memory 1024,3008,10240.")]
    [InlineData("64,1024", "--memory has 64; Lambda allows 128 to 10240 MB.")]
    public async Task DeployLambda_BadMemorySizes_AreRefusedBeforeAnythingIsDeployed(string sizes, string message)
    {
        CliRun run = await CliRun.RunAsync(_environment.Moto.Environment(_environment.ConfigPath), "deploy-lambda", "--zip", WorkerPackage.ZipPath, "--memory", sizes);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"wren deploy-lambda: {message}", run.Error.Trim());
        Assert.Equal([new LambdaFunctionSize(LambdaEnvironment.FunctionName, 768)], WrenConfigFile.Read(_environment.ConfigPath)!.LambdaFunctions!);
    }

    private async Task DeploySizesAsync(string sizes)
    {
        CliRun run = await CliRun.RunAsync(_environment.Moto.Environment(_environment.ConfigPath), "deploy-lambda", "--zip", WorkerPackage.ZipPath, "--memory", sizes);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(2, run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        _environment.Lambda.Refresh();
    }

    /// <summary>Deploys the function again with another timeout, and an executor that sees it.</summary>
    private async Task<WrenExecutor> RedeployWithTimeoutAsync(int seconds)
    {
        CliRun redeployed = await CliRun.RunAsync(_environment.Moto.Environment(_environment.ConfigPath), "deploy-lambda", "--zip", WorkerPackage.ZipPath, "--timeout", seconds.ToString());
        Assert.True(redeployed.ExitCode == 0, redeployed.ToString());
        _environment.Lambda.Refresh();
        return _environment.CreateExecutor();
    }
}
