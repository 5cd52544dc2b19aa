using System.Text.Json;
using Wren.Configuration;
using Wren.Tests.Backends.Lambda;
using Wren.Tests.Support;

namespace Wren.Tests.Backends.Batch;

/// <summary>What goes to Batch and how: Maps that outgrow Lambda, fallback of calls that timed out on Lambda, the shape of
/// submitted array jobs, and cancellation.</summary>
[Trait("Category", "Slow")]
[Collection(BatchRoutingCollection.Name)]
public sealed class BatchRoutingTests(MotoFixture moto) : IClassFixture<MotoFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private LambdaEnvironment _lambda = null!;
    private BatchEnvironment _batch = null!;

    public async Task InitializeAsync()
    {
        _lambda = await LambdaEnvironment.CreateAsync(moto, memoryMb: 512, timeoutSeconds: 4);
        _batch = await BatchEnvironment.CreateAsync(moto);
    }

    public async Task DisposeAsync()
    {
        await _lambda.DisposeAsync();
        await _batch.DisposeAsync();
    }

    /// <summary>An executor configured for Lambda, with Batch set up beside it.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The executor owns both backends and disposes them; the caller owns the executor.")]
    private WrenExecutor LambdaWithBatch()
    {
        WrenConfiguration configuration = WrenConfiguration.Resolve(new WrenOptions { Function = LambdaEnvironment.FunctionName }, _lambda.ClientEnvironment);
        return WrenExecutor.Create(configuration, _lambda.CreateBackend(), () => _batch.CreateBackend());
    }

    private static bool RanOnBatch(Future future) => Guid.TryParse(future.Stats.WorkerId?.Split(':')[0], out _);

    [Fact]
    public async Task Map_LongerThanLambdaAllows_RunsOnBatch()
    {
        await using WrenExecutor executor = LambdaWithBatch();
        int before = _batch.Batch.Submissions.Count;
        FutureList<int> futures = executor.Map((int x) => x * 3, [1, 2, 3], new MapOptions { Timeout = TimeSpan.FromMinutes(20), MemoryMb = 1536 });
        Assert.Equal(new[] { 3, 6, 9 }, await futures.GetResultsAsync().WaitAsync(Patience));
        Assert.All(futures, f => Assert.True(RanOnBatch(f), $"ran on {f.Stats.WorkerId}"));

        JsonElement submission = _batch.Batch.Submissions[before];
        Assert.Equal(3, submission.GetProperty("arrayProperties").GetProperty("size").GetInt32());
        Assert.Equal("wren-batch", submission.GetProperty("jobQueue").GetString());
        Assert.Equal("wren-worker", submission.GetProperty("jobDefinition").GetString());
        Assert.Equal(1, submission.GetProperty("retryStrategy").GetProperty("attempts").GetInt32());
        Assert.True(submission.GetProperty("timeout").GetProperty("attemptDurationSeconds").GetInt32() >= 20 * 60);
        var environment = submission.GetProperty("containerOverrides").GetProperty("environment").EnumerateArray()
            .ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("value").GetString()!);
        Assert.Equal(_batch.Bucket, environment["WREN_BUCKET"]);
        Assert.Equal(MotoServer.Region, environment["WREN_REGION"]);
        Assert.StartsWith("wren/jobs/", environment["WREN_REQUESTS_KEY"]);
        Assert.Contains(_batch.BundleKey, environment["WREN_BUNDLE_URL"]);
        Assert.Contains("X-Amz-Signature=", environment["WREN_BUNDLE_URL"]);
        var resources = submission.GetProperty("containerOverrides").GetProperty("resourceRequirements").EnumerateArray()
            .ToDictionary(r => r.GetProperty("type").GetString()!, r => r.GetProperty("value").GetString()!);
        Assert.Equal("1536", resources["MEMORY"]);
        Assert.False(resources.ContainsKey("GPU"));
    }

    [Fact]
    public async Task Map_WithinLambdaLimits_StaysOnLambda()
    {
        await using WrenExecutor executor = LambdaWithBatch();
        FutureList<int> futures = executor.Map((int x) => x, [1, 2]);
        await futures.GetResultsAsync().WaitAsync(Patience);
        Assert.All(futures, f => Assert.StartsWith("2026/11/21/[$LATEST]", f.Stats.WorkerId));
    }

    [Fact]
    public async Task Map_AskingForGpusWithoutAGpuQueue_SaysToDeployIt()
    {
        await using WrenExecutor executor = LambdaWithBatch();
        var error = await Assert.ThrowsAsync<WrenException>(() => executor.CallAsync((int x) => x, 1, new MapOptions { Gpus = 1 }).GetResultAsync().WaitAsync(Patience));
        Assert.Contains("run `wren deploy-batch --gpu`", error.Message);
    }

    [Fact]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The executor, disposed at the end of the test, owns both backends and disposes them.")]
    public async Task Map_AskingForGpus_GoesToTheGpuQueueWithAGpuRequirement()
    {
        WrenConfiguration configuration = WrenConfiguration.Resolve(new WrenOptions { Function = LambdaEnvironment.FunctionName }, _lambda.ClientEnvironment);
        await using WrenExecutor executor = WrenExecutor.Create(configuration, _lambda.CreateBackend(), () => _batch.CreateBackend(gpu: true));
        int before = _batch.Batch.Submissions.Count;
        Future<int> future = executor.CallAsync((int x) => x * 2, 21, new MapOptions { Gpus = 1 });
        Assert.Equal(42, await future.GetResultAsync().WaitAsync(Patience));
        Assert.True(RanOnBatch(future));
        JsonElement submission = _batch.Batch.Submissions[before];
        Assert.Equal("wren-batch-gpu", submission.GetProperty("jobQueue").GetString());
        Assert.Equal("wren-worker-gpu", submission.GetProperty("jobDefinition").GetString());
        Assert.False(submission.TryGetProperty("arrayProperties", out _));
        var resources = submission.GetProperty("containerOverrides").GetProperty("resourceRequirements").EnumerateArray()
            .ToDictionary(r => r.GetProperty("type").GetString()!, r => r.GetProperty("value").GetString()!);
        Assert.Equal("1", resources["GPU"]);
    }

    [Fact]
    public async Task Map_BeyondLambdaWithoutBatch_SaysToDeployIt()
    {
        await using WrenExecutor executor = _lambda.CreateExecutor();
        var error = Assert.Throws<WrenException>(() => executor.Map((int x) => x, [1], new MapOptions { Timeout = TimeSpan.FromHours(2) }));
        Assert.Contains("a timeout of 7200 s, over 900", error.Message);
        Assert.Contains("run `wren deploy-batch`", error.Message);
    }

    [Fact]
    public async Task Map_WithFallback_CallPastLambdasTimeoutCompletesOnBatch()
    {
        await using WrenExecutor executor = LambdaWithBatch();
        // Lambda's function timeout here is 4 s: the call of 6 s reaches it and is run again on Batch.
        FutureList<int> futures = executor.Map((int seconds) =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(seconds));
            return seconds;
        }, [0, 6], new MapOptions { ChunkSize = 1, BatchFallback = true, Timeout = TimeSpan.FromMinutes(2) });
        Assert.Equal(new[] { 0, 6 }, await futures.GetResultsAsync().WaitAsync(Patience));
        Assert.False(RanOnBatch(futures[0]));
        Assert.True(RanOnBatch(futures[1]), $"ran on {futures[1].Stats.WorkerId}");
        Assert.Equal(FutureStatus.Succeeded, futures[1].Status);
    }

    [Fact]
    public async Task Map_WithoutFallback_CallPastLambdasTimeoutFails()
    {
        await using WrenExecutor executor = LambdaWithBatch();
        Future<int> future = executor.CallAsync((int seconds) =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(seconds));
            return seconds;
        }, 6);
        // With no timeout of its own the call gets the function's 4 s, and fails at it.
        await Assert.ThrowsAsync<WrenTimeoutException>(() => future.GetResultAsync().WaitAsync(Patience));
    }

    [Fact]
    public async Task Map_Cancelled_TerminatesTheBatchJob()
    {
        await using WrenExecutor executor = _batch.CreateExecutor();
        using var cancel = new CancellationTokenSource();
        string started = Path.Combine(Path.GetTempPath(), "wren-tests", $"started-{Guid.NewGuid():N}");
        Future<int> future = executor.CallAsync((int x) =>
        {
            File.WriteAllText(started, "");
            Thread.Sleep(TimeSpan.FromMinutes(5));
            return x;
        }, 1, cancellationToken: cancel.Token);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(started) && clock.Elapsed < Patience) await Task.Delay(100);
        Assert.True(File.Exists(started), "the call did not start");
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => future.GetResultAsync().WaitAsync(Patience));
        JsonElement submission = _batch.Batch.Submissions[^1];
        clock.Restart();
        while (_batch.Batch.Terminated.Count == 0 && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(100);
        Assert.Contains("Wren: the Map was cancelled", _batch.Batch.Terminated);
        Assert.Equal("wren-worker", submission.GetProperty("jobDefinition").GetString());
    }
}

/// <summary>Lambda and Batch set up anew for each test: it starts before the others.</summary>
[CollectionDefinition(Name)]
[StartFirst]
public sealed class BatchRoutingCollection
{
    public const string Name = "Batch routing";
}
