namespace Wren;

/// <summary>A call threw on the worker. The remote exception's type, message and stack trace are kept as text.</summary>
public sealed class RemoteException : WrenException
{
    internal RemoteException(string remoteType, string remoteMessage, string? remoteStackTrace, int inputIndex, RemoteException? inner, string? logTail = null, int attempts = 1)
        : base(Describe(remoteType, remoteMessage, inputIndex, logTail, attempts), inner)
    {
        Attempts = attempts;
        RemoteType = remoteType;
        RemoteMessage = remoteMessage;
        RemoteStackTrace = remoteStackTrace;
        InputIndex = inputIndex;
        LogTail = logTail;
    }

    /// <summary>The full name of the exception type thrown on the worker, such as <c>System.DivideByZeroException</c>.</summary>
    public string RemoteType { get; }

    /// <summary>The remote exception's own message.</summary>
    public string RemoteMessage { get; }

    /// <summary>Where it was thrown, on the worker.</summary>
    public string? RemoteStackTrace { get; }

    /// <summary>The index of the input whose call threw.</summary>
    public int InputIndex { get; }

    /// <summary>How many times the call ran and threw (more than 1 with <see cref="MapOptions.RetryFailedCalls"/>); this is the last.</summary>
    public int Attempts { get; }

    /// <summary>The last lines the call wrote to its log, when known.</summary>
    public string? LogTail { get; }

    /// <inheritdoc />
    public override string? StackTrace => RemoteStackTrace is null ? base.StackTrace : $"{RemoteStackTrace}\n   --- end of remote stack trace (input {InputIndex}) ---\n{base.StackTrace}";

    private static string Describe(string type, string message, int inputIndex, string? logTail, int attempts) =>
        $"The call for input {inputIndex} threw {type}: {message}" + (attempts > 1 ? $" (attempt {attempts} of {attempts}; every one threw)" : "")
        + (string.IsNullOrWhiteSpace(logTail) ? "" : $"\nLast lines of its log:\n{logTail}");
}
