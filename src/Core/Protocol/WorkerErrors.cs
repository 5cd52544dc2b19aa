namespace Wren.Protocol;

/// <summary>
/// The error types a worker reports to the Runtime API (Lambda's <c>errorType</c>) when it cannot run an invocation
/// at all; the client maps them to its exceptions.
/// </summary>
internal static class WorkerErrors
{
    /// <summary>The request speaks another Wren protocol than the worker.</summary>
    public const string ProtocolMismatch = "Wren.ProtocolMismatch";

    /// <summary>The request is not a Wren envelope, or cannot be read.</summary>
    public const string InvalidRequest = "Wren.InvalidRequest";

    /// <summary>The worker failed outside any call (storage, code loading).</summary>
    public const string WorkerError = "Wren.WorkerError";
}
