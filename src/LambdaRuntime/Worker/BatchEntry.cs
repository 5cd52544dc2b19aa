using System.Buffers.Binary;
using Wren.Protocol;
using Wren.Storage;

namespace Wren.Worker;

/// <summary>
/// The worker as an AWS Batch container runs it (<c>bootstrap --batch</c>): one child of an array job runs one chunk.
/// The submission's chunks lie one after another in one object, with an index of where each starts;
/// <c>AWS_BATCH_JOB_ARRAY_INDEX</c> picks the chunk. The response goes to storage, where the client looks for it.
/// </summary>
internal static class BatchEntry
{
    public const string ModeArgument = "--batch";
    public const string RequestsKeyVariable = "WREN_REQUESTS_KEY";
    public const string BucketVariable = "WREN_BUCKET";
    public const string RegionVariable = "WREN_REGION";
    public const string ArrayIndexVariable = "AWS_BATCH_JOB_ARRAY_INDEX";

    /// <summary>Writes a submission: the envelopes back to back at <paramref name="key"/>, their offsets at key.index.</summary>
    public static async Task WriteRequestsAsync(IObjectStorage storage, string key, IReadOnlyList<byte[]> envelopes, CancellationToken cancellationToken)
    {
        var offsets = new byte[(envelopes.Count + 1) * 8];
        long at = 0;
        for (int i = 0; i < envelopes.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(offsets.AsSpan(i * 8), at);
            at += envelopes[i].Length;
        }
        BinaryPrimitives.WriteInt64LittleEndian(offsets.AsSpan(envelopes.Count * 8), at);
        byte[] all = new byte[at];
        long position = 0;
        foreach (byte[] envelope in envelopes)
        {
            envelope.CopyTo(all, position);
            position += envelope.Length;
        }
        await storage.PutAsync(key, all, cancellationToken).ConfigureAwait(false);
        await storage.PutAsync(key + ".index", offsets, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<int> RunAsync(Func<string, string?> environment, ChunkRunner runner, Action<int> exit, CancellationToken cancellationToken)
    {
        string key = Require(environment, RequestsKeyVariable);
        string bucket = Require(environment, BucketVariable);
        string region = environment(RegionVariable) ?? environment("AWS_REGION") ?? Require(environment, "AWS_DEFAULT_REGION");
        int index = int.TryParse(environment(ArrayIndexVariable), out int parsed) ? parsed : 0;

        using var storage = new S3Storage(bucket, region, environment: environment);
        byte[] offsets = await storage.GetAsync(key + ".index", cancellationToken: cancellationToken).ConfigureAwait(false);
        if ((index + 2) * 8 > offsets.Length)
        {
            await Console.Error.WriteLineAsync($"Wren: array index {index} is beyond the {offsets.Length / 8 - 1} chunks of {key}.").ConfigureAwait(false);
            return WorkerExitCodes.InitFailed;
        }
        long start = BinaryPrimitives.ReadInt64LittleEndian(offsets.AsSpan(index * 8));
        long end = BinaryPrimitives.ReadInt64LittleEndian(offsets.AsSpan((index + 1) * 8));
        byte[] envelope = await storage.GetAsync(key, start, end - start, cancellationToken).ConfigureAwait(false);

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
