using Wren.Protocol;

namespace Wren.Jobs;

/// <summary>Receives what happens to each call of a job; the typed side turns it into futures.</summary>
internal interface IJobSink
{
    void Invoked(int callId, int attempt);

    void Running(int callId);

    void Succeeded(int callId, ReadOnlySpan<byte> output, CallStats? stats);

    /// <summary>A call that returned <paramref name="output"/>, measured at <paramref name="index"/> of <paramref name="response"/> (billed or not).</summary>
    void Returned(int callId, ReadOnlySpan<byte> output, InvocationResponse response, int index, bool billed);

    void Failed(int callId, Exception error, CallStats? stats);

    /// <summary>How the call went, for the job's stats in storage: written to row <paramref name="row"/> of <paramref name="stats"/>.</summary>
    void Record(int callId, JobStats.Builder stats, int row);
}
