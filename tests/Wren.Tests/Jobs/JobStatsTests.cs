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
}
