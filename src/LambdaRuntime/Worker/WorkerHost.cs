using System.Buffers;
using Wren.Protocol;

namespace Wren.Worker;

/// <summary>
/// The worker's main loop, shaped like a Lambda bootstrap: initialize, then forever take the next invocation, run it,
/// and answer it or report its failure.
/// </summary>
internal sealed class WorkerHost(IRuntimeApi api, ChunkRunner runner, Action<int> exit)
{
    /// <summary>
    /// Where binary answers are written, one after another: an answer of a chunk of 2,000 calls is about 60 KB, and a new
    /// array for each was a third of what a worker allocated per chunk (memory new to a process costs a page fault per
    /// 4 KB). A buffer that grew past <see cref="KeptEnvelopeBytes"/> for one large answer is not kept.
    /// </summary>
    private ArrayBufferWriter<byte> _envelope = new();

    private const int KeptEnvelopeBytes = 4 * 1024 * 1024;

    private ReadOnlyMemory<byte> Envelope(byte[] asked, InvocationResponse response)
    {
        if (!WrenProtocol.IsBinary(asked)) return WrenProtocol.Wrap(response);
        _envelope.ResetWrittenCount();
        WrenProtocol.WriteBinary(_envelope, response);
        return _envelope.WrittenMemory;
    }

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            RuntimeInvocation invocation = await api.NextAsync(cancellationToken).ConfigureAwait(false);
            await InvokeOnceAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task InvokeOnceAsync(RuntimeInvocation invocation, CancellationToken cancellationToken)
    {
        InvocationRequest? request;
        int version;
        try
        {
            (version, request) = WrenProtocol.Unwrap<InvocationRequest>(invocation.Payload);
        }
        catch (WrenException e)
        {
            await api.ReportErrorAsync(invocation.RequestId, WorkerErrors.InvalidRequest, e.Message, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (request is null)
        {
            await api.ReportErrorAsync(invocation.RequestId, WorkerErrors.ProtocolMismatch, WrenProtocol.MismatchMessage(WrenProtocol.Version, version, "wren deploy-lambda"), cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            InvocationResponse response = await runner.RunAsync(request, invocation.Deadline, GiveUp, cancellationToken).ConfigureAwait(false);
            // In the form it was asked in: JSON from Lambda, binary from the local backend (into the buffer kept for it).
            // A worker that exits after this answer waits for its acknowledgement: the answer is then taken before the
            // worker's exit is noticed, which would count its calls lost.
            await api.RespondAsync(invocation.RequestId, Envelope(invocation.Payload, response), nextFollows: !response.WorkerExiting, cancellationToken).ConfigureAwait(false);
            if (_envelope.Capacity > KeptEnvelopeBytes) _envelope = new ArrayBufferWriter<byte>();
            if (response.WorkerExiting) exit(WorkerExitCodes.OutOfResources);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            await api.ReportErrorAsync(invocation.RequestId, WorkerErrors.WorkerError, $"{e.GetType().Name}: {e.Message}", cancellationToken).ConfigureAwait(false);
        }

        void GiveUp(InvocationResponse partial)
        {
            // A call is still running and cannot be stopped: answer for the chunk, then let the process go.
            _ = Task.Run(async () =>
            {
                try
                {
                    await runner.StoreResponseAsync(request, partial, CancellationToken.None).ConfigureAwait(false);
                    await api.RespondAsync(invocation.RequestId, WrenProtocol.WrapLike(invocation.Payload, partial), nextFollows: false, CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    exit(WorkerExitCodes.CallTimedOut);
                }
            }, CancellationToken.None);
        }
    }
}
