using System.Runtime.CompilerServices;
using Wren.Protocol;
using Wren.Serialization;

namespace Wren.Jobs;

/// <summary>Completes a job's calls in their <paramref name="states"/>: deserializes each result as <typeparamref name="T"/>, or fails the call.</summary>
internal sealed class FutureSink<T>(FutureStates<T> states, WrenSerializerOptions resultOptions) : IJobSink
{
    public void Invoked(int callId, int attempt) => states.MarkInvoked(callId, attempt);

    public void Running(int callId) => states.MarkRunning(callId);

    public void Succeeded(int callId, ReadOnlySpan<byte> output, CallStats? stats)
    {
        states.Record(callId, stats);
        Complete(callId, output);
    }

    public void Returned(int callId, ReadOnlySpan<byte> output, InvocationResponse response, int index, bool billed)
    {
        states.Record(callId, response, index, billed);
        Complete(callId, output);
    }

    // Optimized at its first call rather than through the JIT's tiers: it runs once per call of every Map, and being
    // generic over the user's types it is not among the ahead-of-time compiled code (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Complete(int callId, ReadOnlySpan<byte> output)
    {
        T value;
        try
        {
            value = WrenSerializer.Deserialize<T>(output, resultOptions);
        }
        catch (WrenSerializationException e)
        {
            states.Fail(callId, e.WithRoot("result"));
            return;
        }
        states.Succeed(callId, value);
    }

    public void Failed(int callId, Exception error, CallStats? stats)
    {
        states.Record(callId, stats);
        states.Fail(callId, error);
    }

    public void Record(int callId, JobStats.Builder stats, int row) => states.WriteStats(callId, stats, row);
}
