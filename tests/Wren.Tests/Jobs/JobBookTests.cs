using Microsoft.Extensions.Time.Testing;
using Wren.Jobs;
using Wren.Storage;

namespace Wren.Tests.Jobs;

/// <summary>
/// Short jobs' records and stats go on pages, many jobs to one object in real files, on a fake clock; `wren jobs`,
/// `wren plot` and `wren cleanup` read and delete them as they do jobs with folders of their own.
/// </summary>
public sealed class JobBookTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _folder = Directory.CreateTempSubdirectory("wren-book-").FullName;
    private readonly FileStorage _storage;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 20, 0, 0, TimeSpan.Zero));

    public JobBookTests() => _storage = new FileStorage(_folder);

    public void Dispose()
    {
        _storage.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static (JobRecord, JobStats) Job(int number, int calls, int failed = 0)
    {
        string id = $"M{number:D4}";
        var submitted = new DateTimeOffset(2026, 12, 7, 20, 0, 0, TimeSpan.Zero).AddSeconds(number);
        var record = new JobRecord { ExecutorId = "feedf00d", JobId = id, CreatedAt = submitted, Calls = calls, Function = $"Jobs.cs:{number}", Backend = "local", CodeHashes = [$"hash{number}"] };
        JobStats stats = JobStats.Of(id, [.. Enumerable.Range(0, calls).Select(i => new CallRecord
        {
            CallId = i,
            Status = i < failed ? CallStatus.Failed : CallStatus.Succeeded,
            SubmittedAt = submitted,
            StartedAt = submitted.AddMilliseconds(i),
            EndedAt = submitted.AddMilliseconds(i + 1),
            Attempts = 1,
        })]) with { Invocations = number };
        return (record, stats);
    }

    private string[] Pages() => Directory.Exists(Path.Combine(_folder, "wren", "jobs", "feedf00d"))
        ? [.. Directory.GetFiles(Path.Combine(_folder, "wren", "jobs", "feedf00d")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!]
        : [];

    private async Task WaitForPagesAsync(int count)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (Pages().Length < count) await Task.Delay(10, timeout.Token);
    }

    [Fact]
    public async Task ShortJobs_AreWrittenTogether_ASecondAfterTheFirstEnded()
    {
        var book = new JobBook(_storage, "wren", _time);
        for (int number = 1; number <= 3; number++)
        {
            (JobRecord record, JobStats stats) = Job(number, calls: number, failed: number == 2 ? 1 : 0);
            book.Add(record, stats);
        }
        _time.Advance(JobBook.Delay - TimeSpan.FromMilliseconds(1));
        await Task.Delay(100);
        Assert.Empty(Pages());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitForPagesAsync(1);
        await book.FlushAsync();
        Assert.Equal(["page-M0001"], Pages());
        // As stored, each job's stats have their columns packed, as in a job's own folder.
        JobPage stored = JobRunner.ReadRecord<JobPage>(await _storage.GetAsync("wren/jobs/feedf00d/page-M0001"));
        Assert.All(stored.Jobs, j => Assert.True(j.Stats is { Packed: not null, Statuses: [] }));

        using var store = new JobStore(_storage, "wren");
        IReadOnlyList<JobStore.Summary> jobs = await store.ListAsync();
        Assert.Equal(["feedf00d-M0003", "feedf00d-M0002", "feedf00d-M0001"], jobs.Select(j => j.Id));
        Assert.Equal([(3, 3, 0, 3), (2, 1, 1, 2), (1, 1, 0, 1)], jobs.Select(j => (j.Calls, j.Succeeded!.Value, j.Failed!.Value, j.Invocations!.Value)));
        Assert.Equal(["Jobs.cs:3", "Jobs.cs:2", "Jobs.cs:1"], jobs.Select(j => j.Function));
        Assert.Equal([["hash3"], ["hash2"], ["hash1"]], jobs.Select(j => j.CodeHashes));
        Assert.All(jobs, j => Assert.Equal("wren/jobs/feedf00d/page-M0001", j.Page));
        Assert.All(jobs, j => Assert.True(j.Bytes > 0));
        JobStats second = Assert.IsType<JobStats>(await store.StatsAsync(await store.FindAsync("M0002")));
        Assert.Equal([CallStatus.Failed, CallStatus.Succeeded], second.Calls().Select(c => c.Status));
    }

    [Fact]
    public async Task FullPage_IsWrittenAtOnce_AndTheNextJobStartsAnother()
    {
        var book = new JobBook(_storage, "wren", _time);
        for (int number = 1; number <= JobBook.PageJobs + 1; number++)
        {
            (JobRecord record, JobStats stats) = Job(number, calls: 1);
            book.Add(record, stats);
        }
        await WaitForPagesAsync(1);
        Assert.Equal(["page-M0001"], Pages());
        await book.FlushAsync();
        Assert.Equal(["page-M0001", $"page-M{JobBook.PageJobs + 1:D4}"], Pages());
        using var store = new JobStore(_storage, "wren");
        Assert.Equal(JobBook.PageJobs + 1, (await store.ListAsync()).Count);
    }

    [Fact]
    public async Task Flush_WithNothingPending_WritesNothing()
    {
        var book = new JobBook(_storage, "wren", _time);
        await book.FlushAsync();
        Assert.Empty(Pages());
    }

    [Fact]
    public async Task DeletingAJobOnAPage_WritesThePageWithoutIt_AndTheLastOneRemovesIt()
    {
        var book = new JobBook(_storage, "wren", _time);
        foreach (int number in new[] { 1, 2 })
        {
            (JobRecord record, JobStats stats) = Job(number, calls: 4);
            book.Add(record, stats);
        }
        await book.FlushAsync();
        long whole = new FileInfo(Path.Combine(_folder, "wren", "jobs", "feedf00d", "page-M0001")).Length;

        using (var store = new JobStore(_storage, "wren"))
        {
            long removed = await store.DeleteAsync(await store.FindAsync("feedf00d-M0001"));
            long left = new FileInfo(Path.Combine(_folder, "wren", "jobs", "feedf00d", "page-M0001")).Length;
            Assert.Equal(whole - left, removed);
            Assert.True(removed > 0);
        }
        using (var store = new JobStore(_storage, "wren"))
        {
            JobStore.Summary only = Assert.Single(await store.ListAsync());
            Assert.Equal("feedf00d-M0002", only.Id);
            Assert.Equal(4, (await store.StatsAsync(only))!.Statuses.Length);
            Assert.True(await store.DeleteAsync(only) > 0);
        }
        Assert.Empty(Pages());
        using (var store = new JobStore(_storage, "wren")) Assert.Empty(await store.ListAsync());
    }

    [Fact]
    public async Task DeletingSeveralJobsOfAPage_WritesItOnce_WithoutThem()
    {
        var book = new JobBook(_storage, "wren", _time);
        foreach (int number in new[] { 1, 2, 3 })
        {
            (JobRecord record, JobStats stats) = Job(number, calls: 2);
            book.Add(record, stats);
        }
        await book.FlushAsync();
        string page = Path.Combine(_folder, "wren", "jobs", "feedf00d", "page-M0001");
        long whole = new FileInfo(page).Length;
        using var store = new JobStore(_storage, "wren");
        IReadOnlyList<JobStore.Summary> jobs = await store.ListAsync();
        long removed = await store.DeleteAsync([.. jobs.Where(j => j.JobId != "M0002")]);
        Assert.Equal(whole - new FileInfo(page).Length, removed);
        using var again = new JobStore(_storage, "wren");
        Assert.Equal(["feedf00d-M0002"], (await again.ListAsync()).Select(j => j.Id));
    }

    [Fact]
    public async Task PagedJob_IsFoundByItsRecord_AndAJobWithAFolderBesideItStillIs()
    {
        var book = new JobBook(_storage, "wren", _time);
        (JobRecord record, JobStats stats) = Job(1, calls: 2);
        book.Add(record, stats);
        await book.FlushAsync();
        // A job with its own folder (a long one), as JobRun stores it.
        (JobRecord longRecord, JobStats longStats) = Job(2, calls: 3);
        await _storage.PutAsync(StorageKeys.JobRecord("wren", "feedf00d", "M0002"), JobRunner.Record(longRecord));
        await _storage.PutAsync(StorageKeys.JobStats("wren", "feedf00d", "M0002"), JobRunner.Record(longStats));

        using var store = new JobStore(_storage, "wren");
        Assert.Equal("Jobs.cs:1", (await store.PagedRecordAsync("feedf00d", "M0001"))?.Function);
        Assert.Null(await store.PagedRecordAsync("feedf00d", "M0002"));
        IReadOnlyList<JobStore.Summary> jobs = await store.ListAsync();
        Assert.Equal([("feedf00d-M0002", null, 3), ("feedf00d-M0001", "wren/jobs/feedf00d/page-M0001", 2)], jobs.Select(j => (j.Id, j.Page, j.Calls)));
        Assert.Equal(3, (await store.StatsAsync(jobs[0]))!.Statuses.Length);
    }

    [Fact]
    public async Task PageWhoseStatsDoNotRead_IsLeftOut_AndTheOtherJobsStillList()
    {
        (JobRecord record, JobStats stats) = Job(1, calls: 2);
        byte[] cut = stats.WithColumnsPacked().Packed![..^2];
        await _storage.PutAsync(StorageKeys.JobPage("wren", "feedf00d", "M0001"), JobRunner.Record(new JobPage { Jobs = [new JobPageEntry { Record = record, Stats = stats with { Packed = cut } }] }));
        (JobRecord other, JobStats otherStats) = Job(2, calls: 3);
        await _storage.PutAsync(StorageKeys.JobRecord("wren", "feedf00d", "M0002"), JobRunner.Record(other));
        await _storage.PutAsync(StorageKeys.JobStats("wren", "feedf00d", "M0002"), JobRunner.RecordStats(otherStats));

        using var store = new JobStore(_storage, "wren");
        JobStore.Summary only = Assert.Single(await store.ListAsync());
        Assert.Equal(("feedf00d-M0002", 3, 3), (only.Id, only.Calls, only.Succeeded!.Value));
        Assert.Null(await store.PagedRecordAsync("feedf00d", "M0001"));
    }

    [Theory]
    [InlineData(1, false, false, true)]
    [InlineData(JobBook.MaxCalls, false, false, true)]
    [InlineData(JobBook.MaxCalls + 1, false, false, false)]
    [InlineData(1, true, false, false)]
    [InlineData(1, false, true, false)]
    public void Takes_ShortJobsOnly(int calls, bool detached, bool recordWritten, bool taken) =>
        Assert.Equal(taken, JobBook.Takes(calls, detached, recordWritten));
}
