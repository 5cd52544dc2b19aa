namespace Wren;

/// <summary>A call ran longer than its timeout; its worker was stopped and replaced.</summary>
public sealed class WrenTimeoutException : WrenException
{
    internal WrenTimeoutException(int inputIndex, TimeSpan timeout, bool atInvocationDeadline = false)
        : base(atInvocationDeadline
            ? $"The call for input {inputIndex} was stopped: it was still running when its invocation reached its deadline (the Lambda function's timeout). Raise it with `wren deploy-lambda --timeout`, or send fewer calls per invocation (MapOptions.ChunkSize)."
            : $"The call for input {inputIndex} ran longer than its timeout of {timeout.TotalSeconds:0.###} s and was stopped. Raise MapOptions.Timeout if it needs longer.")
    {
        InputIndex = inputIndex;
        Timeout = timeout;
    }

    /// <summary>The index of the input whose call timed out.</summary>
    public int InputIndex { get; }

    /// <summary>The timeout it ran past.</summary>
    public TimeSpan Timeout { get; }
}
