using Wren.Protocol;
using Wren.Storage;
using Wren.Worker;

namespace Wren;

/// <summary>The worker: run by Lambda (the managed dotnet10 runtime starts it as an executable assembly, a custom runtime as <c>bootstrap</c>), by the local backend as a child process, by Batch in a container.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        if (args.Contains(WorkerLaunch.BatchModeArgument)) return await RunBatchAsync().ConfigureAwait(false);
        string? endpoint = Environment.GetEnvironmentVariable(WorkerLaunch.RuntimeApiVariable);
        if (string.IsNullOrEmpty(endpoint))
        {
            await Console.Error.WriteLineAsync("Wren.LambdaRuntime is Wren's worker. It is started by Lambda, or by WrenExecutor's local backend, with AWS_LAMBDA_RUNTIME_API set; it is not meant to be run by hand.").ConfigureAwait(false);
            return WorkerExitCodes.InitFailed;
        }
        string workerId = Environment.GetEnvironmentVariable(WorkerLaunch.WorkerIdVariable)
            ?? Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_STREAM_NAME")
            ?? $"worker-{Environment.ProcessId}";
        string cache = Path.Combine(Path.GetTempPath(), "wren-code");
        CallLog.Install();
        using var api = new RuntimeApiClient(endpoint, workerId, local: Environment.GetEnvironmentVariable(WorkerLaunch.LocalRuntimeVariable) == "1");
        using var runner = new ChunkRunner(workerId, WorkerStorage.Open, cache, TimeProvider.System);
        var host = new WorkerHost(api, runner, code => Environment.Exit(code));
        await host.RunAsync().ConfigureAwait(false);
        return WorkerExitCodes.Success;
    }

    private static async Task<int> RunBatchAsync()
    {
        string workerId = Environment.GetEnvironmentVariable("AWS_BATCH_JOB_ID") ?? $"batch-{Environment.ProcessId}";
        CallLog.Install();
        using var runner = new ChunkRunner(workerId, WorkerStorage.Open, Path.Combine(Path.GetTempPath(), "wren-code"), TimeProvider.System);
        try
        {
            return await BatchEntry.RunAsync(Environment.GetEnvironmentVariable, runner, code => Environment.Exit(code), CancellationToken.None).ConfigureAwait(false);
        }
        catch (WrenException e)
        {
            await Console.Error.WriteLineAsync($"Wren worker: {e.Message}").ConfigureAwait(false);
            return WorkerExitCodes.InitFailed;
        }
    }
}
