namespace Wren;

/// <summary>A call ran longer than its timeout; its worker was stopped and replaced.</summary>
public sealed class WrenTimeoutException : WrenException
{
    internal WrenTimeoutException(int inputIndex, TimeSpan timeout)
        : base($"The call for input {inputIndex} ran longer than its timeout of {timeout.TotalSeconds:0.###} s and was stopped. Raise MapOptions.Timeout if it needs longer.")
    {
        InputIndex = inputIndex;
        Timeout = timeout;
    }

    /// <summary>The index of the input whose call timed out.</summary>
    public int InputIndex { get; }

    /// <summary>The timeout it ran past.</summary>
    public TimeSpan Timeout { get; }
}
