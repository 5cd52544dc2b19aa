using System.Text.Json;
using Wren.Aws;
using Wren.Aws.Lambda;
using Wren.Protocol;
using Wren.Storage;

namespace Wren.Backends.Lambda;

/// <summary>
/// Calls run on the deployed Lambda function, one invocation per chunk. Synchronous invocations (the default) bring
/// results back in the response, with no storage in between for small jobs; asynchronous ones (Event) find them in S3.
/// Throttling is waited out. Before the first invocation the function's protocol is checked against this client's.
/// </summary>
internal sealed class LambdaBackend(LambdaClient lambda, S3Storage storage, string functionName, string prefix, InvocationType mode = InvocationType.RequestResponse, TimeProvider? time = null) : IComputeBackend
{
    /// <summary>Lambda's payload limits (6 MB synchronous, 1 MB asynchronous) less the envelope's base64.</summary>
    private const int SynchronousInlineBytes = 4 * 1024 * 1024;
    private const int AsynchronousInlineBytes = 700 * 1024;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _checkGate = new(1);
    private Exception? _checkFailure;
    private bool _checked;

    public string Name => "lambda";

    public IObjectStorage Storage => storage;

    public StorageLocation Location { get; } = new() { Kind = StorageLocation.S3, Bucket = storage.Bucket, Region = storage.Region, Prefix = prefix };

    public int DefaultConcurrency => 64;

    public int MaxInlineBytes => mode == InvocationType.RequestResponse ? SynchronousInlineBytes : AsynchronousInlineBytes;

    public bool StoresCallLogs => false;

    public bool ResultsThroughStorage => mode == InvocationType.Event;

    public string FunctionName => functionName;

    public async Task<InvocationOutcome> InvokeAsync(byte[] envelope, InvocationSettings settings, Action onRunning, CancellationToken cancellationToken)
    {
        if (await CheckFunctionAsync(cancellationToken).ConfigureAwait(false) is { } failure) return new InvocationOutcome.Failed(failure);
        onRunning();
        InvokeResult result = await lambda.InvokeAsync(functionName, envelope, mode, tailLog: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.FunctionError is not null) return Classify(result);
        if (mode == InvocationType.RequestResponse) return new InvocationOutcome.Answered(result.Payload, result.LogTail);
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
        TimeSpan pause = TimeSpan.FromMilliseconds(200);
        while (_time.GetElapsedTime(started) < patience)
        {
            await Task.Delay(pause, _time, cancellationToken).ConfigureAwait(false);
            try
            {
                return new InvocationOutcome.Answered(await storage.GetAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false));
            }
            catch (StorageNotFoundException)
            {
                // Not there yet: look again after a pause.
            }
            pause = TimeSpan.FromMilliseconds(Math.Min(2000, pause.TotalMilliseconds * 1.5));
        }
        return new InvocationOutcome.Lost($"no result from the asynchronous invocation within {patience.TotalSeconds:0} s (it may have crashed; `wren logs` shows its output)");
    }

    public async Task<TimeSpan?> CallTimeLimitAsync(CancellationToken cancellationToken)
    {
        if (await CheckFunctionAsync(cancellationToken).ConfigureAwait(false) is { } failure) throw failure;
        return _functionTimeout;
    }

    private TimeSpan? _functionTimeout;
    private int _functionMemoryMb = 128;
    private string _architecture = "x86_64";

    /// <summary>Lambda bills the function's memory, whatever the Map asked for.</summary>
    public async Task<BackendPricing?> PricingAsync(int memoryMb, CancellationToken cancellationToken)
    {
        await CheckFunctionAsync(cancellationToken).ConfigureAwait(false);
        return BackendPricing.Lambda(_functionMemoryMb, _architecture, storage.Region);
    }

    /// <summary>Once: does the function exist, and does it speak this client's protocol?</summary>
    private async Task<Exception?> CheckFunctionAsync(CancellationToken cancellationToken)
    {
        if (_checked) return _checkFailure;
        await _checkGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_checked) return _checkFailure;
            FunctionConfiguration? function = await lambda.GetFunctionConfigurationAsync(functionName, cancellationToken).ConfigureAwait(false);
            if (function is null)
            {
                _checkFailure = new WrenException($"Lambda function {functionName} does not exist in region {storage.Region}: run `wren deploy-lambda` (after `wren create-config` and `wren create-role`).");
            }
            else if (function.Environment?.Variables.GetValueOrDefault(LambdaDeploymentSettings.ProtocolVariable) is { } deployed
                && int.TryParse(deployed, out int version) && version != WrenProtocol.Version)
            {
                _checkFailure = new ProtocolMismatchException(WrenProtocol.MismatchMessage(version, WrenProtocol.Version, "wren deploy-lambda") + ".");
            }
            if (function?.Timeout is { } seconds) _functionTimeout = TimeSpan.FromSeconds(seconds);
            if (function?.MemorySize is { } memory) _functionMemoryMb = memory;
            if (function?.Architectures is [var architecture, ..]) _architecture = architecture;
            _checked = true;
            return _checkFailure;
        }
        finally
        {
            _checkGate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        storage.Dispose();
        _checkGate.Dispose();
        return ValueTask.CompletedTask;
    }
}
