using Wren.Tests.Backends.Local;

namespace Wren.Tests.Deploy;

/// <summary>wren logs, jobs, cleanup and test against real local jobs.</summary>
[Trait("Category", "Slow")]
public sealed class LocalJobCommandTests : IAsyncLifetime
{
    private readonly LocalExecutorFixture _local = new();
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public Task InitializeAsync() => _local.InitializeAsync();

    public Task DisposeAsync() => _local.DisposeAsync();

    private Func<string, string?> Environment => name => name switch
    {
        "WREN_BACKEND" => "local",
        "WREN_STORAGE_PATH" => _local.StoragePath,
        "WREN_CONFIG" => "/nonexistent/wren-config.json",
        "WREN_LOCAL_WORKERS" => "2",
        _ => null,
    };

    private async Task<string> RunLoggingJobAsync()
    {
        FutureList<int> futures = _local.Executor.Map((int x) =>
        {
            Console.WriteLine($"hello from {x}");
            Console.Error.WriteLine($"warning about {x}");
            Task.Run(() => Console.WriteLine($"from a task of {x}")).Wait();
            return x;
        }, Enumerable.Range(0, 4), new MapOptions { ChunkSize = 2 });
        try
        {
            await futures.GetResultsAsync().WaitAsync(Patience);
        }
        catch (TimeoutException e)
        {
            // Say where each call got to, for a run that hangs.
            throw new TimeoutException($"job {futures.JobId}: {string.Join(", ", futures.Select(f => $"{f.InputIndex}: {f.Status} (attempts {f.Stats.Attempts}, worker {f.Stats.WorkerId})"))}", e);
        }
        return futures.JobId;
    }

    [Fact]
    public async Task Logs_Job_PrintsEveryCallsLinesTaggedWithJobAndCall()
    {
        string job = await RunLoggingJobAsync();
        CliRun run = await CliRun.RunAsync(Environment, "logs", "--job", job);
        Assert.True(run.ExitCode == 0, run.ToString());
        for (int x = 0; x < 4; x++)
        {
            Assert.Contains($"{job}#{x:D5} INFO  hello from {x}", run.Out);
            Assert.Contains($"{job}#{x:D5} ERROR warning about {x}", run.Out);
            Assert.Contains($"{job}#{x:D5} INFO  from a task of {x}", run.Out);
        }
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} ", run.Out);
        Assert.DoesNotContain("\u001b[", run.Out);
    }

    [Fact]
    public async Task Logs_Call_NarrowsToThatCall()
    {
        string job = await RunLoggingJobAsync();
        CliRun run = await CliRun.RunAsync(Environment, "logs", "--job", job.Split('-')[1], "--call", "2");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("hello from 2", run.Out);
        Assert.DoesNotContain("hello from 1", run.Out);
        Assert.Equal(3, run.Out.Trim().Split('\n').Length);
    }

    [Fact]
    public async Task Logs_CallWithoutJob_IsRefused()
    {
        CliRun run = await CliRun.RunAsync(Environment, "logs", "--call", "2");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--call needs --job", run.Error);
    }

    [Fact]
    public async Task FailedCall_MessageEndsWithItsLogTail()
    {
        Future<int> future = _local.Executor.CallAsync((int x) =>
        {
            Console.WriteLine("step 1 done");
            Console.WriteLine("step 2 about to fail");
            return x > 0 ? throw new InvalidOperationException("step 2 failed") : x;
        }, 1);
        var error = await Assert.ThrowsAsync<RemoteException>(() => future.GetResultAsync().WaitAsync(Patience));
        Assert.Equal("step 1 done\nstep 2 about to fail\n", error.LogTail);
        Assert.EndsWith("Last lines of its log:\nstep 1 done\nstep 2 about to fail\n", error.Message);
    }

    [Fact]
    public async Task Jobs_ListsEachJobWithItsCounts()
    {
        FutureList<int> good = _local.Executor.Map((int x) => x, Enumerable.Range(0, 5));
        await good.GetResultsAsync().WaitAsync(Patience);
        FutureList<int> mixed = _local.Executor.Map((int x) => x == 1 ? throw new ArgumentException("one") : x, Enumerable.Range(0, 3));
        await _local.Executor.WaitAsync(mixed).WaitAsync(Patience);
        await _local.Executor.WriteBookkeepingAsync();
        CliRun run = await CliRun.RunAsync(Environment, "jobs");
        Assert.True(run.ExitCode == 0, run.ToString());
        string[] lines = run.Out.Trim().Split('\n');
        Assert.Equal("job\twhen\tfunction\tcalls\tsucceeded\tfailed\tinvocations\tcost_usd_estimate\tbytes", lines[0]);
        string[] mixedRow = lines.Single(l => l.StartsWith(mixed.JobId)).Split('\t');
        Assert.Equal(["3", "2", "1"], mixedRow[3..6]);
        // Local workers cost nothing; the invocations are the Map's own.
        Assert.Equal([mixed.Cost.Invocations.ToString(), "0"], mixedRow[6..8]);
        Assert.True(long.Parse(mixedRow[8]) > 0);
        string[] goodRow = lines.Single(l => l.StartsWith(good.JobId)).Split('\t');
        Assert.Equal(["5", "5", "0"], goodRow[3..6]);
        // A job is named where its function is written.
        Assert.Equal(good.Name, goodRow[2]);
        Assert.Matches(@"^LocalJobCommandTests\.cs:\d+$", goodRow[2]);

        CliRun json = await CliRun.RunAsync(Environment, "jobs", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = System.Text.Json.JsonDocument.Parse(json.Out);
        System.Text.Json.JsonElement mixedJob = document.RootElement.EnumerateArray().Single(j => j.GetProperty("id").GetString() == mixed.JobId);
        Assert.Equal((3, 2, 1), (mixedJob.GetProperty("calls").GetInt32(), mixedJob.GetProperty("succeeded").GetInt32(), mixedJob.GetProperty("failed").GetInt32()));
        Assert.Equal(mixed.Name, mixedJob.GetProperty("function").GetString());
        Assert.Equal(mixed.Cost.Invocations, mixedJob.GetProperty("invocations").GetInt32());
        Assert.Equal(0, mixedJob.GetProperty("estimatedUsd").GetDouble());
        Assert.Equal("local", mixedJob.GetProperty("backend").GetString());
    }

    [Fact]
    public async Task Cleanup_Job_ThenAll_RemovesDataAndUnusedCode()
    {
        FutureList<int> first = _local.Executor.Map((int x) => x + 1, [1, 2]);
        FutureList<int> second = _local.Executor.Map((int x) => x + 2, [1, 2]);
        await first.GetResultsAsync().WaitAsync(Patience);
        await second.GetResultsAsync().WaitAsync(Patience);
        await _local.Executor.WriteBookkeepingAsync();

        CliRun one = await CliRun.RunAsync(Environment, "cleanup", "--job", first.JobId);
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Matches(@"^Removed 1 job \(\d+(\.\d)? [KM]?B\) and 0 unused code files \(0 B\) from .*; 1 job remain", one.Out);
        CliRun listing = await CliRun.RunAsync(Environment, "jobs");
        Assert.DoesNotContain(first.JobId, listing.Out);
        Assert.Contains(second.JobId, listing.Out);

        int codeFiles = Directory.GetFiles(Path.Combine(_local.StoragePath, "wren", "code")).Length;
        Assert.True(codeFiles > 0);
        var later = new CliRun.ShiftedTime(TimeSpan.FromHours(2));
        CliRun all = await CliRun.RunAsync(Environment, later, "cleanup", "--all");
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Contains($"Removed 1 job", all.Out);
        Assert.Contains($"and {codeFiles} unused code files", all.Out);
        Assert.Empty(Directory.GetFiles(Path.Combine(_local.StoragePath, "wren", "code")));
    }

    [Fact]
    public async Task Cleanup_NothingSaid_IsRefused()
    {
        CliRun run = await CliRun.RunAsync(Environment, "cleanup");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("exactly one of --job ID, --older-than 7d, --all", run.Error);
    }

    [Fact]
    public async Task Test_RunsASmallMapAndPrintsResultsAndTimings()
    {
        CliRun run = await CliRun.RunAsync(Environment, "test", "--calls", "3");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("2 squared is 4", run.Out);
        Assert.Matches(@"3 calls in \d+ ms\.", run.Out);
        Assert.Contains("wren test: 3/3 calls done (0 failed)", run.Error);
    }
}
