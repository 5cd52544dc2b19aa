using Wren.Jobs;

namespace Wren.Tests.Jobs;

public sealed class JobStatsTests
{
    [Fact]
    public void Columns_ReadBackAsTheRecordsTheyWereMadeFrom()
    {
        var submitted = new DateTimeOffset(2026, 12, 2, 5, 0, 0, TimeSpan.Zero);
        CallRecord[] calls =
        [
            new() { CallId = 0, Status = CallStatus.Succeeded, SubmittedAt = submitted, StartedAt = submitted.AddSeconds(1), EndedAt = submitted.AddSeconds(2), ColdStart = true, WorkerId = "a", PeakMemoryBytes = 10, BytesIn = 3, BytesOut = 4, Attempts = 1 },
            new() { CallId = 1, Status = CallStatus.Failed, SubmittedAt = submitted, StartedAt = submitted.AddSeconds(1), EndedAt = submitted.AddSeconds(3), ColdStart = false, WorkerId = "b", BytesIn = 3, Attempts = 2, Error = "InvalidOperationException: one" },
            new() { CallId = 2, Status = CallStatus.Lost, SubmittedAt = submitted, BytesIn = 5, Attempts = 3, Error = "WorkerLostException: gone" },
            new() { CallId = 3, Status = CallStatus.Succeeded, SubmittedAt = submitted, StartedAt = submitted.AddSeconds(4), EndedAt = submitted.AddSeconds(5), ColdStart = false, WorkerId = "a", BytesIn = 3, BytesOut = 0, Attempts = 1 },
        ];
        JobStats stats = JobStats.Of("M0007", calls) with { Invocations = 5, Duplicates = 1, BilledGbSeconds = 0.5, EstimatedUsd = 0.25 };

        JobStats read = JobRunner.ReadRecord<JobStats>(JobRunner.Record(stats));

        Assert.Equal(calls, read.Calls());
        Assert.Equal(["a", "b"], read.Workers);
        Assert.Equal((2, 1, 1), (read.Count(CallStatus.Succeeded), read.Count(CallStatus.Failed), read.Count(CallStatus.Lost)));
        Assert.Equal(("M0007", 5, 1, 0.5, 0.25), (read.JobId, read.Invocations, read.Duplicates, read.BilledGbSeconds, read.EstimatedUsd));
    }

    /// <summary>A Map's stats as a run of local calls makes them: calls in a row a few microseconds apart on two workers, in chunks.</summary>
    private static JobStats MapOf(int count)
    {
        var submitted = new DateTimeOffset(2026, 12, 7, 20, 0, 0, TimeSpan.Zero);
        long start = submitted.UtcTicks + 50_000;
        return JobStats.Of("M0001", count, i =>
        {
            int chunk = i / 2_000;
            long started = start + chunk / 2 * 9_000 + (i % 2_000) * 4 + (i % 7);
            return new CallRecord
            {
                CallId = i,
                Status = i % 1_000 == 999 ? CallStatus.Failed : CallStatus.Succeeded,
                SubmittedAt = submitted,
                StartedAt = new DateTimeOffset(started, TimeSpan.Zero),
                EndedAt = new DateTimeOffset(started + 3 + i % 3, TimeSpan.Zero),
                ColdStart = i % 2_000 == 0 && chunk < 2,
                WorkerId = chunk % 2 == 0 ? "worker-a" : "worker-b",
                PeakMemoryBytes = 40_000_000 + chunk * 4_096,
                BytesIn = i < 128 ? 1 : i < 65_536 ? 3 : 5,
                BytesOut = i % 1_000 == 999 ? null : i < 127 ? 1 : 5,
                Attempts = i % 1_000 == 999 ? 2 : 1,
                Error = i % 1_000 == 999 ? "InvalidOperationException: no" : null,
            };
        }) with { Invocations = count / 2_000 };
    }

    [Fact]
    public void StoredStats_PackTheirColumns_AndReadBackTheSame()
    {
        JobStats stats = MapOf(100_000);
        byte[] raw = JobRunner.Record(stats);
        byte[] stored = JobRunner.RecordStats(stats);

        JobStats read = JobRunner.ReadStats(stored);

        Assert.Equal(stats.Calls(), read.Calls());
        Assert.Equal((stats.JobId, stats.Invocations), (read.JobId, read.Invocations));
        Assert.Equal(stats.Workers, read.Workers);
        Assert.Null(read.Packed);
        // 58 bytes a call raw; packed, a few.
        Assert.True(raw.Length > 5_000_000, $"raw {raw.Length} bytes");
        Assert.True(stored.Length < 700_000, $"packed {stored.Length} bytes against {raw.Length} raw");
    }

    [Fact]
    public void StoredStats_Raw_AsEarlierVersionsKeptThem_ReadAsTheyAre()
    {
        JobStats stats = MapOf(3_000);
        Assert.Equal(stats.Calls(), JobRunner.ReadStats(JobRunner.Record(stats)).Calls());
    }

    [Fact]
    public void PackedColumns_EdgeValues_RoundTrip()
    {
        JobStats stats = new JobStats { JobId = "M0002" } with
        {
            Statuses = [0, 0, 4, 255, 0],
            SubmittedAt = [0, long.MaxValue, long.MinValue, 0, 0],
            StartedAt = [long.MinValue, 0, long.MaxValue, 1, 1],
            EndedAt = [long.MaxValue, 0, long.MinValue, 0, 1],
            ColdStarts = [2, 2, 2, 2, 2],
            WorkerOf = [-1, int.MaxValue, int.MinValue, -1, -1],
            PeakMemoryBytes = [-1, -1, -1, -1, -1],
            BytesIn = [0, 0, 0, 0, 0],
            BytesOut = [-1, long.MaxValue, 0, -1, -1],
            Attempts = [1, 1, int.MaxValue, 1, 1],
        };
        JobStats read = stats.WithColumnsPacked().WithColumnsUnpacked();
        Assert.Equal(stats.Statuses, read.Statuses);
        Assert.Equal(stats.SubmittedAt, read.SubmittedAt);
        Assert.Equal(stats.StartedAt, read.StartedAt);
        Assert.Equal(stats.EndedAt, read.EndedAt);
        Assert.Equal(stats.ColdStarts, read.ColdStarts);
        Assert.Equal(stats.WorkerOf, read.WorkerOf);
        Assert.Equal(stats.PeakMemoryBytes, read.PeakMemoryBytes);
        Assert.Equal(stats.BytesIn, read.BytesIn);
        Assert.Equal(stats.BytesOut, read.BytesOut);
        Assert.Equal(stats.Attempts, read.Attempts);
        JobStats none = new JobStats { JobId = "M0003" }.WithColumnsPacked();
        Assert.Empty(none.WithColumnsUnpacked().Statuses);
    }

    [Fact]
    public void PackedColumns_ThatDoNotRead_AreRefusedSayingWhy()
    {
        byte[] packed = MapOf(10).WithColumnsPacked().Packed!;
        JobStats Unpack(byte[] bytes) => new JobStats { JobId = "M0001", Packed = bytes }.WithColumnsUnpacked();

        Assert.Contains("cut short", Assert.Throws<InvalidDataException>(() => Unpack(packed[..^1])).Message);
        Assert.Contains("after their last column", Assert.Throws<InvalidDataException>(() => Unpack([.. packed, 0])).Message);
        Assert.Contains($"layout 9, not {StatsColumns.Version}", Assert.Throws<InvalidDataException>(() => Unpack([9, .. packed[1..]])).Message);
        // Ten calls, the first column a run of eleven.
        Assert.Contains("run of 11 where 10 calls are left", Assert.Throws<InvalidDataException>(() => Unpack([StatsColumns.Version, 10, 0, 11])).Message);
        // 2^35 - 1 calls.
        Assert.Contains($"claim 34359738367 calls, more than a Map holds ({StatsColumns.MaxCalls})", Assert.Throws<InvalidDataException>(() => Unpack([StatsColumns.Version, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])).Message);
    }

    [Fact]
    public void StoredStats_OfAMapWhoseCallsNeverRan_AreAFewBytes_AndReadBack()
    {
        var submitted = new DateTimeOffset(2026, 12, 7, 20, 0, 0, TimeSpan.Zero);
        JobStats cancelled = JobStats.Of("M0004", 100_000, i => new CallRecord { CallId = i, Status = CallStatus.Cancelled, SubmittedAt = submitted, Error = "OperationCanceledException: stopped" });
        JobStats packed = cancelled.WithColumnsPacked();
        Assert.True(packed.Packed!.Length < 100, $"{packed.Packed.Length} bytes");
        JobStats read = JobRunner.ReadStats(JobRunner.Record(packed));
        Assert.Equal(cancelled.Calls(), read.Calls());
    }
}
