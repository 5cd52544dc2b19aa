namespace Wren;

/// <summary>The worker running a call died (killed, crashed, out of memory) on every attempt the retries allowed.</summary>
public sealed class WorkerLostException : WrenException
{
    internal WorkerLostException(int inputIndex, int attempts, string lastFailure)
        : base($"The worker running input {inputIndex} died on all {attempts} attempts; the last time: {lastFailure}. If it ran out of memory, raise MapOptions.MemoryMb; to try more often, raise MapOptions.Retries.")
    {
        InputIndex = inputIndex;
        Attempts = attempts;
    }

    /// <summary>The index of the input whose call was lost.</summary>
    public int InputIndex { get; }

    /// <summary>How many times the call was tried.</summary>
    public int Attempts { get; }
}
