using Wren.Jobs;
using Wren.Serialization;
using Wren.Storage;
using Wren.Tests.Backends.Local;
using Wren.Tests.Deploy;

namespace Wren.Tests.Plots;

/// <summary><c>wren plot</c> and <see cref="FutureList{T}.SaveTimelineAsync"/> on jobs that ran on real local workers.</summary>
[Trait("Category", "Slow")]
public sealed class PlotCommandTests(LocalExecutorFixture fixture) : IClassFixture<LocalExecutorFixture>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "wren-tests", $"plot-{Guid.NewGuid():N}");

    private string? Environment(string name) => name switch
    {
        "WREN_BACKEND" => "local",
        "WREN_STORAGE_PATH" => fixture.StoragePath,
        "WREN_CONFIG" => "/nonexistent/wren-config.json",
        _ => null,
    };

    /// <summary>A short job's record and stats are stored on a page within a second of its end: writes it now, and waits for them.</summary>
    private async Task WaitForStatsAsync(string jobId)
    {
        await fixture.Executor.WriteBookkeepingAsync();
        using var files = new FileStorage(fixture.StoragePath);
        using var jobs = new JobStore(files, "wren");
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            try
            {
                if (await jobs.StatsAsync(await jobs.FindAsync(jobId, timeout.Token), timeout.Token) is not null) return;
            }
            catch (WrenException) when (!timeout.IsCancellationRequested)
            {
                // No record yet: it is written with the stats.
            }
            await Task.Delay(50, timeout.Token);
        }
    }

    [Fact]
    public async Task Plot_LocalMap_WritesOneBarPerCall()
    {
        FutureList<int> futures = fixture.Executor.Map((int x) => x * x, Enumerable.Range(0, 12));
        await futures.GetResultsAsync().WaitAsync(Patience);
        await WaitForStatsAsync(futures.JobId);
        string path = Path.Combine(_folder, "nested", "timeline.svg");

        CliRun run = await CliRun.RunAsync(Environment, "plot", "--job", futures.JobId, "-o", path);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(path, run.Out.Trim());
        PlotSvg plot = PlotSvg.Load(path);
        Assert.Equal(Enumerable.Range(0, 12), plot.CallIds.Order());
        Assert.All(plot.Calls, g => Assert.Contains("succeeded", PlotSvg.Classes(g)));
        Assert.StartsWith($"Job {futures.JobId}", plot.Texts[0]);
        Assert.StartsWith("12 calls: 12 succeeded, 0 failed", plot.Texts[1]);
        Assert.Contains("seconds since submit", plot.Texts);
        // One mark per cold call (at most one per worker), besides the legend's.
        int cold = plot.WithClass("path", "cold").Count(e => !PlotSvg.Classes(e).Contains("legend"));
        Assert.Equal(futures.Count(f => f.Stats.ColdStart == true), cold);
        Assert.InRange(cold, 0, 2);
    }

    [Fact]
    public async Task Plot_NoOutputGiven_WritesJobIdSvgInTheCurrentFolder()
    {
        FutureList<int> futures = fixture.Executor.Map((int x) => x + 1, Enumerable.Range(0, 3));
        await futures.GetResultsAsync().WaitAsync(Patience);
        await WaitForStatsAsync(futures.JobId);

        CliRun run = await CliRun.RunAsync(Environment, "plot", "--job", futures.JobId.Split('-')[^1]);

        Assert.True(run.ExitCode == 0, run.ToString());
        string path = run.Out.Trim();
        try
        {
            Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), $"{futures.JobId}.svg"), path);
            Assert.Equal(3, PlotSvg.Load(path).Calls.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Plot_JobWithoutStats_SaysItIsStillRunning()
    {
        string storage = Path.Combine(_folder, "storage");
        var record = new JobRecord { ExecutorId = "feedf00d", JobId = "M0001", CreatedAt = DateTimeOffset.UtcNow, Calls = 5, Function = "Program.Work", Backend = "local" };
        byte[] bytes = WrenSerializer.Serialize(record, new WrenSerializerOptions { AllowedAssemblies = [typeof(JobRecord).Assembly] });
        using (var files = new FileStorage(storage))
            await files.PutAsync(StorageKeys.JobRecord("wren", "feedf00d", "M0001"), bytes);

        CliRun run = await CliRun.RunAsync(name => name == "WREN_STORAGE_PATH" ? storage : Environment(name), "plot", "--job", "feedf00d-M0001", "-o", Path.Combine(_folder, "x.svg"));

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("wren plot: Job feedf00d-M0001 has no stats", run.Error);
        Assert.Contains("still running", run.Error);
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.False(File.Exists(Path.Combine(_folder, "x.svg")));
    }

    [Fact]
    public async Task Plot_UnknownJob_SaysHowToListJobs()
    {
        CliRun run = await CliRun.RunAsync(Environment, "plot", "--job", "nosuchjob-M9999");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("No job 'nosuchjob-M9999'", run.Error);
        Assert.Contains("wren jobs", run.Error);
    }

    [Fact]
    public async Task Plot_NoJobOption_IsAUsageError()
    {
        CliRun run = await CliRun.RunAsync(Environment, "plot");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--job", run.Error);
    }

    [Fact]
    public async Task SaveTimelineAsync_WaitsForTheCallsAndDrawsEachWithItsOutcome()
    {
        FutureList<int> futures = fixture.Executor.Map((int x) => x == 3 ? throw new InvalidOperationException("three") : x, Enumerable.Range(0, 8));
        string path = Path.Combine(_folder, "from-code.svg");
        Directory.CreateDirectory(_folder);

        await futures.SaveTimelineAsync(path).WaitAsync(Patience);

        Assert.All(futures, f => Assert.True(f.IsCompleted));
        PlotSvg plot = PlotSvg.Load(path);
        Assert.Equal(Enumerable.Range(0, 8), plot.CallIds.Order());
        Assert.Equal([3], plot.Calls.Where(g => PlotSvg.Classes(g).Contains("failed")).Select(g => (int)g.Attribute("data-call")!));
        Assert.Equal($"Job {futures.JobId}  ·  {futures.Name}", plot.Texts[0]);
        Assert.StartsWith("PlotCommandTests.cs:", futures.Name);
        Assert.StartsWith("8 calls: 7 succeeded, 1 failed", plot.Texts[1]);
        Assert.Contains(plot.Calls.Single(g => (int)g.Attribute("data-call")! == 3).Elements(), e => e.Name.LocalName == "title" && e.Value.Contains("InvalidOperationException: three"));
    }

    [Fact]
    public async Task SaveTimelineAsync_Cancelled_WritesNothing()
    {
        FutureList<int> futures = fixture.Executor.Map((int x) => { Thread.Sleep(2000); return x; }, [1]);
        string path = Path.Combine(_folder, "cancelled.svg");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => futures.SaveTimelineAsync(path, new CancellationTokenSource(100).Token));
        Assert.False(File.Exists(path));
        await futures.GetResultsAsync().WaitAsync(Patience);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
