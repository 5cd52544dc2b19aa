using Wren.Aws;
using Wren.Protocol;
using Wren.Storage;

namespace Wren.Worker;

/// <summary>
/// The worker as an AWS Batch container runs it (<c>dotnet Wren.LambdaRuntime.dll --batch</c>): one child of an array job runs one chunk.
/// The submission's chunks lie one after another in one object, with an index of where each starts;
/// <c>AWS_BATCH_JOB_ARRAY_INDEX</c> picks the chunk. The response goes to storage, where the client looks for it.
/// </summary>
internal static class BatchEntry
{
    public static async Task<int> RunAsync(Func<string, string?> environment, ChunkRunner runner, Action<int> exit, CancellationToken cancellationToken)
    {
        string key = Require(environment, WorkerLaunch.RequestsKeyVariable);
        string bucket = Require(environment, WorkerLaunch.BucketVariable);
        string region = environment(WorkerLaunch.RegionVariable) ?? environment("AWS_REGION") ?? Require(environment, "AWS_DEFAULT_REGION");
        int index = int.TryParse(environment(WorkerLaunch.ArrayIndexVariable), out int parsed) ? parsed : 0;

        using var storage = new S3Storage(bucket, AwsContext.FromEnvironment(region, environment: environment));
        byte[] envelope = await BatchRequests.ReadAsync(storage, key, index, cancellationToken).ConfigureAwait(false);

        (int version, InvocationRequest? request) = WrenProtocol.Unwrap<InvocationRequest>(envelope);
        if (request is null)
        {
            await Console.Error.WriteLineAsync($"Wren: {WrenProtocol.MismatchMessage(WrenProtocol.Version, version, "wren deploy-batch")}").ConfigureAwait(false);
            return WorkerExitCodes.InitFailed;
        }
        Console.WriteLine($"Wren worker: chunk {index} of {key}, {request.CallIds.Length} calls");
        InvocationResponse response = await runner.RunAsync(request, deadline: null, partial =>
        {
            // A call past its timeout cannot be stopped: store what is known, then end the container.
            _ = Task.Run(async () =>
            {
                try
                {
                    await runner.StoreResponseAsync(request, partial, CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    exit(WorkerExitCodes.CallTimedOut);
                }
            }, CancellationToken.None);
        }, cancellationToken).ConfigureAwait(false);
        return response.WorkerExiting ? WorkerExitCodes.OutOfResources : WorkerExitCodes.Success;
    }

    private static string Require(Func<string, string?> environment, string name) =>
        environment(name) is { Length: > 0 } value ? value : throw new WrenException($"{name} is not set: this container was not started by Wren's Batch backend.");
}
