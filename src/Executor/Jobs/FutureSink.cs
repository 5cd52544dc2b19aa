using Wren.Protocol;
using Wren.Serialization;

namespace Wren.Jobs;

/// <summary>Completes a job's futures: deserializes each result as <typeparamref name="T"/>, or fails the future.</summary>
internal sealed class FutureSink<T>(Future<T>[] futures, WrenSerializerOptions resultOptions) : IJobSink
{
    public void Invoked(int callId, int attempt)
    {
        Future<T> future = futures[callId];
        future.MarkInvoked();
        future.UpdateStats(stats => stats with { Attempts = attempt });
    }

    public void Running(int callId) => futures[callId].MarkRunning();

    public void Succeeded(int callId, byte[] output, CallStats? stats)
    {
        Future<T> future = futures[callId];
        Record(future, stats);
        T value;
        try
        {
            value = WrenSerializer.Deserialize<T>(output, resultOptions);
        }
        catch (WrenSerializationException e)
        {
            future.Fail(e.WithRoot("result"));
            return;
        }
        future.Succeed(value);
    }

    public void Failed(int callId, Exception error, CallStats? stats)
    {
        Future<T> future = futures[callId];
        Record(future, stats);
        future.Fail(error);
    }

    public CallRecord Record(int callId) => CallRecords.From(futures[callId], callId);

    private static void Record(Future future, CallStats? stats)
    {
        if (stats is null) return;
        future.UpdateStats(s => s with
        {
            StartedAt = new DateTimeOffset(stats.Started, TimeSpan.Zero),
            EndedAt = new DateTimeOffset(stats.Ended, TimeSpan.Zero),
            ColdStart = stats.ColdStart,
            WorkerId = stats.WorkerId,
            PeakMemoryBytes = stats.PeakMemoryBytes,
            BytesIn = stats.BytesIn,
            BytesOut = stats.BytesOut,
            BilledDuration = TimeSpan.FromMilliseconds(stats.BilledMs),
        });
    }
}
