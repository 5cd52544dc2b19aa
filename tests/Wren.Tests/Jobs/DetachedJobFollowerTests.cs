using Microsoft.Extensions.Time.Testing;
using Wren.Jobs;
using Wren.Serialization;
using Wren.Storage;

namespace Wren.Tests.Jobs;

/// <summary>Following a detached job from its stored responses and stats, in real files, on a fake clock.</summary>
public sealed class DetachedJobFollowerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wren-follower-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task EndedJob_WhoseStatsDoNotRead_EndsItsOpenCallsSayingSo()
    {
        using var storage = new FileStorage(_folder);
        var record = new JobRecord { ExecutorId = "feedf00d", JobId = "M0001", CreatedAt = DateTimeOffset.UnixEpoch, Calls = 2, Function = "F.cs:1", Backend = "lambda", Detached = true, TimeoutSeconds = 60, ChunkSize = 1 };
        // The job's stats, as its client stored them, with packed columns that are cut short.
        byte[] packed = new JobStats { JobId = "M0001", Statuses = [0, 0], SubmittedAt = [1, 1], StartedAt = [2, 2], EndedAt = [3, 3], ColdStarts = [1, 1], WorkerOf = [0, 0], PeakMemoryBytes = [5, 5], BytesIn = [1, 1], BytesOut = [1, 1], Attempts = [1, 1] }
            .WithColumnsPacked().Packed!;
        await storage.PutAsync(StorageKeys.JobStats("wren", "feedf00d", "M0001"), JobRunner.Record(new JobStats { JobId = "M0001", Packed = packed[..^2] }));
        var states = new FutureStates<int>(2, DateTimeOffset.UnixEpoch);
        var follower = new DetachedJobFollower(storage, "wren", "feedf00d", record, new FakeTimeProvider());

        await follower.FollowAsync(new FutureSink<int>(states, new WrenSerializerOptions()), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(Enumerable.Range(0, 2), i => Assert.Contains("its job's stats could not be read (Job stats end inside a column", Assert.IsType<WrenException>(states.ErrorOf(i)).Message));
    }
}
