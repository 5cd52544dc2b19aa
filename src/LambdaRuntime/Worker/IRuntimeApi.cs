namespace Wren.Worker;

/// <summary>The Lambda Runtime API, as the worker sees it: take the next invocation, answer it or report its failure.</summary>
internal interface IRuntimeApi
{
    Task<RuntimeInvocation> NextAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Answers the invocation with <paramref name="response"/>. <paramref name="nextFollows"/> says that the worker asks
    /// for its next invocation right after (it does not exit): an API that may send the answer with that request, and
    /// read its acknowledgement after, then does, and <paramref name="response"/>'s buffer must stay as it is until the
    /// next request; otherwise it is read before this returns (its buffer may be reused then).
    /// </summary>
    Task RespondAsync(string requestId, ReadOnlyMemory<byte> response, bool nextFollows, CancellationToken cancellationToken = default);

    Task ReportErrorAsync(string requestId, string errorType, string message, CancellationToken cancellationToken = default);

    Task ReportInitErrorAsync(string errorType, string message, CancellationToken cancellationToken = default);
}

/// <summary>One invocation handed out by the Runtime API.</summary>
internal sealed record RuntimeInvocation(string RequestId, DateTimeOffset? Deadline, byte[] Payload);
