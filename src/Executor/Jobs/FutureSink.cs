using Wren.Protocol;
using Wren.Serialization;

namespace Wren.Jobs;

/// <summary>Completes a job's futures: deserializes each result as <typeparamref name="T"/>, or fails the future.</summary>
internal sealed class FutureSink<T>(Future<T>[] futures, WrenSerializerOptions resultOptions) : IJobSink
{
    public void Invoked(int callId, int attempt)
    {
        Future<T> future = futures[callId];
        future.MarkInvoked(attempt);
    }

    public void Running(int callId) => futures[callId].MarkRunning();

    public void Succeeded(int callId, ReadOnlySpan<byte> output, CallStats? stats)
    {
        futures[callId].Record(stats);
        Complete(futures[callId], output);
    }

    public void Returned(int callId, ReadOnlySpan<byte> output, InvocationResponse response, int index, bool billed)
    {
        futures[callId].Record(response, index, billed);
        Complete(futures[callId], output);
    }

    private void Complete(Future<T> future, ReadOnlySpan<byte> output)
    {
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
        future.Record(stats);
        future.Fail(error);
    }

    public CallRecord Record(int callId) => CallRecords.From(futures[callId], callId);
}
