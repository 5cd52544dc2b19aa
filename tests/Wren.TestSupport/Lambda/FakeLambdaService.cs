using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Wren.Aws;
using Wren.Aws.Lambda;
using Wren.Backends;
using Wren.Backends.Lambda;
using Wren.Backends.Local;
using Wren.Protocol;

namespace Wren.TestSupport.Lambda;

/// <summary>
/// Lambda's Invoke API on loopback: each invocation runs in a sandbox started from the real deployment package the way
/// the function's runtime starts it (moto's Lambda cannot run code without Docker), synchronously (RequestResponse) or
/// asynchronously (Event: 202 at once, the invocation runs afterwards). A function is either deployed on moto, whose
/// configuration is then read from there and to which every other Lambda request is passed on, or
/// <see cref="Define">defined</see> here, and then its configuration is answered here too. Idle sandboxes are reused,
/// as Lambda reuses warm ones; at most <c>maxSandboxes</c> run at once and further invocations wait (the machine has
/// two cores). It can throttle and inject faults on demand.
/// </summary>
internal sealed class FakeLambdaService : LoopbackAwsService
{
    private readonly string _root;
    private readonly IReadOnlyDictionary<string, string> _sandboxEnvironment;
    private readonly SemaphoreSlim _running;
    private readonly List<FakeLambdaSandbox> _idle = [];
    private readonly List<FakeLambdaSandbox> _all = [];
    private readonly List<Task> _background = [];
    private readonly Dictionary<string, FunctionSetup> _configurations = [];
    private readonly HashSet<string> _defined = [];
    private readonly LambdaClient? _control;
    private readonly bool _privateTemp;
    private int _throttle;
    private int _sandboxes;
    private int _invocations;
    private int _failures;
    private int _faults;
    private Func<bool>? _faulty;

    /// <param name="packageZip">The deployment package, extracted once as every sandbox's task root.</param>
    /// <param name="motoEndpoint">moto, where functions not defined here are deployed; null for none.</param>
    /// <param name="sandboxEnvironment">Variables of every sandbox besides Lambda's own (moto's endpoint and credentials).</param>
    /// <param name="maxSandboxes">How many invocations run at once.</param>
    /// <param name="privateTemp">
    /// Each sandbox with a temporary folder of its own, as Lambda's are: the worker fetches its code once per sandbox
    /// (what a count of S3 requests needs). Otherwise sandboxes share the machine's, and the code it caches.
    /// </param>
    public FakeLambdaService(string packageZip, string? motoEndpoint, IReadOnlyDictionary<string, string> sandboxEnvironment, int maxSandboxes = 4, bool privateTemp = false)
        : base(motoEndpoint)
    {
        _privateTemp = privateTemp;
        if (motoEndpoint is not null) _control = new LambdaClient(AwsContext.FromEnvironment(environment: name => sandboxEnvironment.GetValueOrDefault(name)));
        _root = Path.Combine(Path.GetTempPath(), "wren-tests", $"lambda-{Guid.NewGuid():N}");
        ZipFile.ExtractToDirectory(packageZip, _root);
        _sandboxEnvironment = sandboxEnvironment;
        _running = new SemaphoreSlim(maxSandboxes);
    }

    /// <summary>How many invocations were made (throttled ones included).</summary>
    public int Invocations => Volatile.Read(ref _invocations);

    /// <summary>Invocations that ended in a function error (the worker rejected it, crashed or timed out).</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>How many invocations were answered with an injected fault.</summary>
    public int Faults => Volatile.Read(ref _faults);

    /// <summary>The sandboxes started so far.</summary>
    public IReadOnlyList<FakeLambdaSandbox> Sandboxes
    {
        get
        {
            lock (_all) return [.. _all];
        }
    }

    /// <summary>A function served here alone: its configuration is answered here, not read from moto.</summary>
    public void Define(FunctionSetup function)
    {
        lock (_configurations)
        {
            _configurations[function.Name] = function;
            _defined.Add(function.Name);
        }
    }

    /// <summary>
    /// From now on, answers <paramref name="share"/> of the invocations (a seeded draw) with a fault, in turn: 429
    /// before running it, a 502 after running it, or a connection dropped after running it.
    /// </summary>
    public void InjectFaults(double share, int seed)
    {
        var random = new Random(seed);
        _faulty = () =>
        {
            lock (random) return random.NextDouble() < share;
        };
    }

    /// <summary>Answers the next <paramref name="count"/> invocations with 429 TooManyRequestsException.</summary>
    public void Throttle(int count) => Interlocked.Exchange(ref _throttle, count);

    /// <summary>Forgets what it knew of moto's function configurations (after a redeploy).</summary>
    public void Refresh()
    {
        lock (_configurations)
            foreach (string name in _configurations.Keys.Where(name => !_defined.Contains(name)).ToList()) _configurations.Remove(name);
    }

    protected override async Task<(int Status, Dictionary<string, string> Headers, byte[] Body)?> HandleAsync(HttpExchange.Request request)
    {
        // /2015-03-31/functions/{name}/invocations and /2015-03-31/functions/{name}/configuration
        string[] segments = request.Path.Split('?')[0].Trim('/').Split('/');
        if (segments.Length != 4 || segments[1] != "functions") return null;
        string name = Uri.UnescapeDataString(segments[2]);
        if (request.Method == "POST" && segments[3] == "invocations") return await InvokeAsync(name, request).ConfigureAwait(false);
        lock (_configurations)
            if (request.Method == "GET" && segments[3] == "configuration" && _defined.Contains(name)) return (200, JsonHeaders(), Configuration(_configurations[name]));
        return null;
    }

    private static byte[] Configuration(FunctionSetup function) => JsonSerializer.SerializeToUtf8Bytes(new FunctionConfiguration
    {
        FunctionName = function.Name,
        FunctionArn = $"arn:aws:lambda:{MotoServer.Region}:123456789012:function:{function.Name}",
        Runtime = function.Runtime,
        Handler = function.Handler,
        MemorySize = function.MemoryMb,
        Timeout = function.TimeoutSeconds,
        Architectures = [LambdaDeploymentSettings.DefaultArchitecture],
        Environment = new FunctionEnvironment { Variables = new() { [LambdaDeploymentSettings.ProtocolVariable] = WrenProtocol.Version.ToString(CultureInfo.InvariantCulture) } },
        State = "Active",
    });

    private async Task<(int, Dictionary<string, string>, byte[])> InvokeAsync(string functionName, HttpExchange.Request request)
    {
        Interlocked.Increment(ref _invocations);
        int remaining;
        do
        {
            remaining = Volatile.Read(ref _throttle);
        }
        while (remaining > 0 && Interlocked.CompareExchange(ref _throttle, remaining - 1, remaining) != remaining);
        int fault = _faulty?.Invoke() == true ? Interlocked.Increment(ref _faults) % 3 : -1;
        if (remaining > 0 || fault == 0)
            return (429, new() { ["x-amzn-ErrorType"] = "TooManyRequestsException", ["x-amzn-RequestId"] = Guid.NewGuid().ToString() },
                Encoding.UTF8.GetBytes("""{"Type":"User","message":"Rate Exceeded.","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"}"""));

        FunctionSetup? function = await ConfigurationAsync(functionName).ConfigureAwait(false);
        if (function is null) return Error(404, "ResourceNotFoundException", $"Function not found: {functionName}");
        bool asynchronous = request.Headers.GetValueOrDefault("X-Amz-Invocation-Type") == "Event";
        bool tail = request.Headers.GetValueOrDefault("X-Amz-Log-Type") == "Tail";
        Task<(int, Dictionary<string, string>, byte[])> run = RunAsync(request.Body, function, tail);
        if (fault > 0)
        {
            // The function ran; its answer is lost on the way back.
            await run.ConfigureAwait(false);
            if (fault == 1) return (502, new() { ["x-amzn-ErrorType"] = "ServiceException", ["x-amzn-RequestId"] = Guid.NewGuid().ToString() }, Encoding.UTF8.GetBytes("""{"message":"Bad gateway (injected)"}"""));
            throw new DropConnection();
        }
        if (!asynchronous) return await run.ConfigureAwait(false);
        lock (_background)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(run);
        }
        return (202, new() { ["x-amzn-RequestId"] = Guid.NewGuid().ToString() }, []);
    }

    private async Task<(int, Dictionary<string, string>, byte[])> RunAsync(byte[] payload, FunctionSetup function, bool tail)
    {
        await _running.WaitAsync(Stopping.Token).ConfigureAwait(false);
        try
        {
            return await RunInSandboxAsync(payload, function, tail).ConfigureAwait(false);
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task<(int, Dictionary<string, string>, byte[])> RunInSandboxAsync(byte[] payload, FunctionSetup function, bool tail)
    {
        TimeSpan timeout = TimeSpan.FromSeconds(function.TimeoutSeconds);
        while (true)
        {
            FakeLambdaSandbox sandbox;
            try
            {
                sandbox = Take(function);
            }
            catch (InvalidOperationException e)
            {
                // What Lambda answers when the runtime cannot start the handler.
                Interlocked.Increment(ref _failures);
                return (200, new() { ["X-Amz-Function-Error"] = "Unhandled" }, ErrorBody("Runtime.InvalidEntrypoint", e.Message));
            }
            int logStart = sandbox.LogLength;
            (bool started, InvocationOutcome? outcome) = await sandbox.InvokeAsync(payload, timeout).ConfigureAwait(false);
            if (started) return await AnswerAsync(sandbox, logStart, outcome, timeout, tail).ConfigureAwait(false);
        }
    }

    private async Task<(int, Dictionary<string, string>, byte[])> AnswerAsync(FakeLambdaSandbox sandbox, int logStart, InvocationOutcome? outcome, TimeSpan timeout, bool tail)
    {
        Dictionary<string, string> headers = JsonHeaders();
        headers["X-Amz-Executed-Version"] = "$LATEST";
        if (tail)
        {
            // The invocation's last output lines come through the process's pipes just after its answer.
            await Task.Delay(20).ConfigureAwait(false);
            byte[] bytes = Encoding.UTF8.GetBytes(sandbox.LogSince(logStart));
            headers["X-Amz-Log-Result"] = Convert.ToBase64String(bytes.Length > 4096 ? bytes[^4096..] : bytes);
        }
        switch (outcome)
        {
            case InvocationOutcome.Answered answered:
                Return(sandbox);
                return (200, headers, answered.Envelope);
            case InvocationOutcome.Rejected rejected:
                Return(sandbox);
                Interlocked.Increment(ref _failures);
                headers["X-Amz-Function-Error"] = "Unhandled";
                return (200, headers, ErrorBody(rejected.ErrorType, rejected.Message));
            case InvocationOutcome.Lost lost:
                Interlocked.Increment(ref _failures);
                headers["X-Amz-Function-Error"] = "Unhandled";
                return (200, headers, ErrorBody("Runtime.ExitError", lost.Reason));
            default:
                Interlocked.Increment(ref _failures);
                headers["X-Amz-Function-Error"] = "Unhandled";
                return (200, headers, ErrorBody("Sandbox.Timedout", $"RequestId: {Guid.NewGuid()} Error: Task timed out after {timeout.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} seconds"));
        }
    }

    private static Dictionary<string, string> JsonHeaders() => new() { ["Content-Type"] = "application/json", ["x-amzn-RequestId"] = Guid.NewGuid().ToString() };

    private static byte[] ErrorBody(string type, string message) =>
        Json(new Dictionary<string, string> { ["errorType"] = type, ["errorMessage"] = message });

    private FakeLambdaSandbox Take(FunctionSetup function)
    {
        lock (_idle)
        {
            _idle.RemoveAll(idle => idle.Exited);
            int last = _idle.FindLastIndex(idle => idle.Function == function);
            if (last >= 0)
            {
                FakeLambdaSandbox idle = _idle[last];
                _idle.RemoveAt(last);
                return idle;
            }
        }
        var sandbox = new FakeLambdaSandbox($"sandbox{Interlocked.Increment(ref _sandboxes)}", _root, function, _sandboxEnvironment, _privateTemp);
        lock (_all) _all.Add(sandbox);
        return sandbox;
    }

    private void Return(FakeLambdaSandbox sandbox)
    {
        lock (_idle) _idle.Add(sandbox);
    }

    private async Task<FunctionSetup?> ConfigurationAsync(string functionName)
    {
        lock (_configurations)
            if (_configurations.TryGetValue(functionName, out FunctionSetup? known)) return known;
        if (_control is null) return null;
        // moto tells services apart by the request's signature, so this goes through a signed client.
        FunctionConfiguration? function = await _control.GetFunctionConfigurationAsync(functionName).ConfigureAwait(false);
        if (function is null) return null;
        var configuration = new FunctionSetup(functionName, function.MemorySize ?? 128, function.Timeout ?? 3, function.Runtime ?? "", function.Handler ?? "");
        lock (_configurations) _configurations[functionName] = configuration;
        return configuration;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync().ConfigureAwait(false);
        foreach (FakeLambdaSandbox sandbox in Sandboxes) await sandbox.DisposeAsync().ConfigureAwait(false);
        Task[] background;
        lock (_background) background = [.. _background];
        await Task.WhenAll(background).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _control?.Dispose();
        _running.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>What the fake needs of a function's configuration: its name, its limits, and how its runtime starts it.</summary>
internal sealed record FunctionSetup(string Name, int MemoryMb, int TimeoutSeconds, string Runtime, string Handler);
