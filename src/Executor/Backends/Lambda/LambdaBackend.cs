using System.Collections.Concurrent;
using System.Text.Json;
using Wren.Aws.Lambda;
using Wren.Configuration;
using Wren.Protocol;
using Wren.Storage;
using Wren.Timing;

namespace Wren.Backends.Lambda;

/// <summary>
/// Calls run on the deployed Lambda function, one invocation per chunk. Synchronous invocations (the default) bring
/// results back in the response, with no storage in between for small jobs; asynchronous ones (Event) find them in S3.
/// Throttling is waited out. Before a function's first invocation its protocol is checked against this client's.
/// With <paramref name="sizes"/> (what <c>wren deploy-lambda --memory</c> deployed) each Map runs on the smallest
/// function with the memory it asks for; otherwise every Map runs on <paramref name="functionName"/>. With
/// <paramref name="ownsClients"/> the backend disposes the client and storage it was given (the backend factory makes them for it).
/// </summary>
internal sealed class LambdaBackend(LambdaClient lambda, S3Storage storage, string functionName, string prefix,
    InvocationType mode = InvocationType.RequestResponse, TimeProvider? time = null, IReadOnlyList<LambdaFunctionSize>? sizes = null, bool ownsClients = false) : IComputeBackend
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Name => "lambda";

    public IObjectStorage Storage => storage;

    public StorageLocation Location { get; } = new() { Kind = StorageLocation.S3, Bucket = storage.Bucket, Region = storage.Region, Prefix = prefix };

    public int DefaultConcurrency => 64;

    public int MaxInlineBytes => mode == InvocationType.RequestResponse ? LambdaLimits.SynchronousInlineBytes : LambdaLimits.AsynchronousInlineBytes;

    public int MaxDetachedInlineBytes => LambdaLimits.AsynchronousInlineBytes;

    public bool StoresCallLogs => false;

    public bool ResultsThroughStorage => mode == InvocationType.Event;

    public async Task<InvocationOutcome> InvokeAsync(byte[] envelope, InvocationSettings settings, Action onRunning, CancellationToken cancellationToken)
    {
        string function = FunctionFor(settings.MemoryMb);
        if ((await DescribeAsync(function, cancellationToken).ConfigureAwait(false)).Failure is { } failure) return new InvocationOutcome.Failed(failure);
        onRunning();
        // A detached invocation is an Event: Lambda queues it and runs it whether or not this client waits.
        InvocationType type = settings.Detached ? InvocationType.Event : mode;
        InvokeResult result = await lambda.InvokeAsync(function, envelope, type, tailLog: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.FunctionError is not null) return Classify(result);
        settings.Accepted?.Invoke();
        if (type == InvocationType.RequestResponse) return new InvocationOutcome.Answered(result.Payload, result.LogTail);
        return await AwaitStoredResponseAsync(settings, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A function error: the worker's own report (bad request, protocol), a timeout, or a crash of the runtime.</summary>
    private static InvocationOutcome Classify(InvokeResult result)
    {
        (string type, string message) = ReadError(result.Payload);
        string tail = string.IsNullOrWhiteSpace(result.LogTail) ? "" : $"\nLast lines of its log:\n{result.LogTail.TrimEnd()}";
        if (type.StartsWith("Wren.", StringComparison.Ordinal)) return new InvocationOutcome.Rejected(type, message + tail);
        if (type == "Sandbox.Timedout" || message.Contains("Task timed out", StringComparison.Ordinal))
            return new InvocationOutcome.Lost($"the invocation reached the Lambda function's timeout ({message}); raise it with `wren deploy-lambda --timeout`, or use smaller chunks{tail}");
        return new InvocationOutcome.Lost($"the Lambda runtime failed ({type}: {message}){tail}");
    }

    private static (string Type, string Message) ReadError(byte[] payload)
    {
        try
        {
            using JsonDocument json = JsonDocument.Parse(payload);
            string type = json.RootElement.TryGetProperty("errorType", out JsonElement t) ? t.GetString() ?? "" : "";
            string message = json.RootElement.TryGetProperty("errorMessage", out JsonElement m) ? m.GetString() ?? "" : "";
            return (type, message);
        }
        catch (JsonException)
        {
            return ("Unknown", System.Text.Encoding.UTF8.GetString(payload));
        }
    }

    private async Task<InvocationOutcome> AwaitStoredResponseAsync(InvocationSettings settings, CancellationToken cancellationToken)
    {
        string key = settings.ResponseKey ?? throw new InvalidOperationException("An asynchronous invocation needs a response key.");
        TimeSpan patience = settings.CallTimeout * settings.Calls + TimeSpan.FromMinutes(1);
        long started = _time.GetTimestamp();
        var pause = new Backoff(_time, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(2));
        while (_time.GetElapsedTime(started) < patience)
        {
            await pause.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return new InvocationOutcome.Answered(await storage.GetAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false));
            }
            catch (StorageNotFoundException)
            {
                // Not there yet: look again after a pause.
            }
        }
        return new InvocationOutcome.Lost($"no result from the asynchronous invocation within {patience.TotalSeconds:0} s (it may have crashed; `wren logs` shows its output)");
    }

    public async Task<TimeSpan?> CallTimeLimitAsync(int memoryMb, CancellationToken cancellationToken) =>
        (await UsableAsync(FunctionFor(memoryMb), cancellationToken).ConfigureAwait(false)).Timeout;

    /// <summary>Lambda bills the function's memory and architecture, whatever the Map asked for.</summary>
    public async Task<BackendPricing?> PricingAsync(int memoryMb, CancellationToken cancellationToken)
    {
        DeployedFunction function = await UsableAsync(FunctionFor(memoryMb), cancellationToken).ConfigureAwait(false);
        return BackendPricing.Lambda(function.MemoryMb, function.Architecture, storage.Region);
    }

    public IReadOnlyList<int>? MemorySizes => sizes is null ? null : [.. sizes.Select(s => s.MemoryMb)];

    /// <summary>
    /// The smallest deployed size with at least the memory asked for (with none asked, the smallest there is; with a
    /// single function, its own); never less than asked: a Map that needs more is refused with the command to run.
    /// </summary>
    public async Task<int> FitMemoryAsync(int memoryMb, bool given, CancellationToken cancellationToken)
    {
        if (sizes is not null)
        {
            LambdaFunctionSize? fit = given ? sizes.FirstOrDefault(s => s.MemoryMb >= memoryMb) : sizes[0];
            return fit?.MemoryMb ?? throw NotEnoughMemory(memoryMb, [.. sizes.Select(s => s.MemoryMb)]);
        }
        DeployedFunction function = await UsableAsync(functionName, cancellationToken).ConfigureAwait(false);
        if (given && memoryMb > function.MemoryMb) throw NotEnoughMemory(memoryMb, [function.MemoryMb]);
        return function.MemoryMb;
    }

    public int? LargerMemory(int memoryMb) => sizes?.FirstOrDefault(s => s.MemoryMb > memoryMb)?.MemoryMb;

    /// <summary>Why a Map asking for <paramref name="memoryMb"/> cannot run on the deployed sizes, and what to run.</summary>
    public static WrenException NotEnoughMemory(int memoryMb, IReadOnlyList<int> deployed) =>
        new($"This Map asks for {memoryMb} MB, more than the Lambda function{(deployed.Count > 1 ? "s" : "")} deployed ({string.Join(", ", deployed)} MB) give: "
            + (memoryMb <= LambdaLimits.MaxMemoryMb
                ? $"deploy that size too with `wren deploy-lambda --memory {string.Join(",", deployed.Append(memoryMb).Distinct().Order())}`, ask for at most {deployed.Max()} MB, or set up AWS Batch (`wren deploy-batch`) to run such Maps there."
                : $"Lambda gives at most {LambdaLimits.MaxMemoryMb} MB, so it needs AWS Batch: run `wren deploy-batch`."));

    /// <summary>The function that runs invocations of this much memory: the deployed size it was fitted to.</summary>
    private string FunctionFor(int memoryMb) =>
        sizes?.FirstOrDefault(s => s.MemoryMb >= memoryMb)?.Name ?? sizes?[^1].Name ?? functionName;

    /// <summary>What Lambda says of a deployed function: its limits, architecture, and whether it can be used at all.</summary>
    private sealed record DeployedFunction(int MemoryMb, TimeSpan Timeout, string Architecture, Exception? Failure);

    private readonly ConcurrentDictionary<string, Lazy<Task<DeployedFunction>>> _functions = new(StringComparer.Ordinal);

    /// <summary>Once per function: does it exist, and does it speak this client's protocol? Throws if not.</summary>
    private async Task<DeployedFunction> UsableAsync(string name, CancellationToken cancellationToken)
    {
        DeployedFunction function = await DescribeAsync(name, cancellationToken).ConfigureAwait(false);
        return function.Failure is { } failure ? throw failure : function;
    }

    private async Task<DeployedFunction> DescribeAsync(string name, CancellationToken cancellationToken)
    {
        // The lookup is shared by every caller, so no one caller's token cancels it; each waits with its own.
        Lazy<Task<DeployedFunction>> lookup = _functions.GetOrAdd(name, n => new Lazy<Task<DeployedFunction>>(() => LookUpAsync(n)));
        try
        {
            return await lookup.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (lookup.Value.IsFaulted)
        {
            // Lambda could not be asked (a network error): the next caller asks again.
            _functions.TryRemove(new KeyValuePair<string, Lazy<Task<DeployedFunction>>>(name, lookup));
            throw;
        }
    }

    private async Task<DeployedFunction> LookUpAsync(string name)
    {
        FunctionConfiguration? function = await lambda.GetFunctionConfigurationAsync(name, CancellationToken.None).ConfigureAwait(false);
        Exception? failure = null;
        if (function is null)
        {
            failure = new WrenException($"Lambda function {name} does not exist in region {storage.Region}: run `wren deploy-lambda` (after `wren create-config` and `wren create-role`).");
        }
        else if (function.Environment?.Variables.GetValueOrDefault(LambdaDeploymentSettings.ProtocolVariable) is { } deployed
            && int.TryParse(deployed, out int version) && version != WrenProtocol.Version)
        {
            failure = new ProtocolMismatchException(WrenProtocol.MismatchMessage(version, WrenProtocol.Version, "wren deploy-lambda") + ".");
        }
        return new DeployedFunction(function?.MemorySize ?? LambdaLimits.MinMemoryMb, TimeSpan.FromSeconds(function?.Timeout ?? LambdaLimits.DefaultTimeoutSeconds),
            function?.Architectures is [var architecture, ..] ? architecture : "x86_64", failure);
    }

    /// <summary>The client and storage are disposed only when this backend was given them to own.</summary>
    public ValueTask DisposeAsync()
    {
        if (ownsClients)
        {
            lambda.Dispose();
            storage.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
