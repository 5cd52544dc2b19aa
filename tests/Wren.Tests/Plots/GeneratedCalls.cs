using Wren.Jobs;

namespace Wren.Tests.Plots;

/// <summary>Made-up jobs: calls queued on a few workers, each worker's first call a cold start, and some calls that go wrong.</summary>
internal static class GeneratedCalls
{
    public static readonly DateTimeOffset Submitted = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// <paramref name="calls"/> calls shared out to <paramref name="workers"/> workers in order. Every 50th call fails,
    /// every 97th times out, and every 331st is lost without ever starting.
    /// </summary>
    public static CallRecord[] Job(int calls, int workers, int seed = 7)
    {
        var random = new Random(seed);
        double[] free = [.. Enumerable.Range(0, workers).Select(_ => 0.3 + random.NextDouble() * 0.4)];
        var warm = new bool[workers];
        var records = new CallRecord[calls];
        for (int id = 0; id < calls; id++)
        {
            if (id % 331 == 330)
            {
                records[id] = new CallRecord { CallId = id, Status = CallStatus.Lost, SubmittedAt = Submitted, Attempts = 3 };
                continue;
            }
            int worker = Array.IndexOf(free, free.Min());
            bool cold = !warm[worker];
            warm[worker] = true;
            double started = free[worker] + random.NextDouble() * 0.01;
            double ran = (cold ? 0.4 : 0.05) + random.NextDouble() * 0.2 + (id % 97 == 96 ? 1.5 : 0);
            free[worker] = started + ran;
            records[id] = new CallRecord
            {
                CallId = id,
                Status = id % 97 == 96 ? CallStatus.TimedOut : id % 50 == 49 ? CallStatus.Failed : CallStatus.Succeeded,
                SubmittedAt = Submitted,
                StartedAt = Submitted.AddSeconds(started),
                EndedAt = Submitted.AddSeconds(started + ran),
                ColdStart = cold,
                WorkerId = $"worker-{worker}",
                Attempts = 1,
                Error = id % 50 == 49 ? "InvalidOperationException: input 49 is not allowed" : null,
            };
        }
        return records;
    }
}
