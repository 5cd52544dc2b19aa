using Wren.Protocol;

namespace Wren.Worker;

/// <summary>
/// The worker's main loop, shaped like a Lambda bootstrap: initialize, then forever take the next invocation, run it,
/// and answer it or report its failure.
/// </summary>
internal sealed class WorkerHost(IRuntimeApi api, ChunkRunner runner, Action<int> exit)
{
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
            // In the form it was asked in: JSON from Lambda, binary from the local backend.
            byte[] wrapped = WrenProtocol.WrapLike(invocation.Payload, response);
            await api.RespondAsync(invocation.RequestId, wrapped, cancellationToken).ConfigureAwait(false);
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
                    await api.RespondAsync(invocation.RequestId, WrenProtocol.WrapLike(invocation.Payload, partial), CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    exit(WorkerExitCodes.CallTimedOut);
                }
            }, CancellationToken.None);
        }
    }
}
