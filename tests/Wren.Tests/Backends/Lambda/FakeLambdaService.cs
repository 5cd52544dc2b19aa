using System.Globalization;
using System.IO.Compression;
using System.Text;
using Wren.Aws;
using Wren.Aws.Lambda;
using Wren.Backends;
using Wren.Backends.Local;

namespace Wren.Tests.Backends.Lambda;

/// <summary>
/// Lambda's Invoke API for one function, on loopback: each invocation runs in a sandbox started from the real
/// deployment package the way the function's runtime starts it (moto's Lambda cannot run code without Docker). Every other Lambda request is passed on to moto,
/// so the function's configuration is the one <c>wren deploy-lambda</c> created there. It can throttle on demand.
/// </summary>
internal sealed class FakeLambdaService : Support.LoopbackAwsService
{
    private readonly string _root;
    private readonly IReadOnlyDictionary<string, string> _sandboxEnvironment;
    private readonly List<FakeLambdaSandbox> _idle = [];
    private readonly List<FakeLambdaSandbox> _all = [];
    private int _throttle;
    private int _sandboxes;

    private readonly LambdaClient _control;

    public FakeLambdaService(string packageZip, string motoEndpoint, IReadOnlyDictionary<string, string> sandboxEnvironment) : base(motoEndpoint)
    {
        _control = new LambdaClient(AwsContext.FromEnvironment(environment: name => sandboxEnvironment.GetValueOrDefault(name)));
        _root = Path.Combine(Path.GetTempPath(), "wren-tests", $"lambda-{Guid.NewGuid():N}");
        ZipFile.ExtractToDirectory(packageZip, _root);
        _sandboxEnvironment = sandboxEnvironment;
    }

    /// <summary>How many invocations were made (throttled ones included).</summary>
    public int Invocations => _invocations;

    private int _invocations;

    /// <summary>The sandboxes started so far, for start-up timings.</summary>
    public IReadOnlyList<FakeLambdaSandbox> Sandboxes
    {
        get
        {
            lock (_all) return [.. _all];
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

    private Func<bool>? _faulty;
    private int _faults;

    /// <summary>How many invocations were answered with an injected fault.</summary>
    public int Faults => Volatile.Read(ref _faults);

    /// <summary>Answers the next <paramref name="count"/> invocations with 429 TooManyRequestsException.</summary>
    public void Throttle(int count) => Interlocked.Exchange(ref _throttle, count);

    protected override async Task<(int Status, Dictionary<string, string> Headers, byte[] Body)?> HandleAsync(HttpExchange.Request request) =>
        request.Method == "POST" && request.Path.EndsWith("/invocations", StringComparison.Ordinal) ? await InvokeAsync(request) : null;

    private async Task<(int, Dictionary<string, string>, byte[])> InvokeAsync(HttpExchange.Request request)
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

        string functionName = Uri.UnescapeDataString(request.Path.Split('/')[3]);
        FunctionSetup function = await ConfigurationAsync(functionName);
        bool asynchronous = request.Headers.GetValueOrDefault("X-Amz-Invocation-Type") == "Event";
        bool tail = request.Headers.GetValueOrDefault("X-Amz-Log-Type") == "Tail";
        Task<(int, Dictionary<string, string>, byte[])> run = RunAsync(request.Body, function, tail);
        if (fault > 0)
        {
            // The function ran; its answer is lost on the way back.
            await run;
            if (fault == 1) return (502, new() { ["x-amzn-ErrorType"] = "ServiceException", ["x-amzn-RequestId"] = Guid.NewGuid().ToString() }, Encoding.UTF8.GetBytes("""{"message":"Bad gateway (injected)"}"""));
            throw new DropConnection();
        }
        if (!asynchronous) return await run;
        _ = run;
        return (202, new() { ["x-amzn-RequestId"] = Guid.NewGuid().ToString() }, []);
    }

    /// <summary>At most this many sandboxes run at once; further invocations wait for one (the machine has two cores).</summary>
    private readonly SemaphoreSlim _concurrency = new(4);

    private async Task<(int, Dictionary<string, string>, byte[])> RunAsync(byte[] payload, FunctionSetup function, bool tail)
    {
        await _concurrency.WaitAsync();
        try
        {
            return await RunInSandboxAsync(payload, function, tail);
        }
        finally
        {
            _concurrency.Release();
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
                return (200, new() { ["X-Amz-Function-Error"] = "Unhandled" }, ErrorBody("Runtime.InvalidEntrypoint", e.Message));
            }
            int logStart = sandbox.LogLength;
            (bool started, InvocationOutcome? outcome) = await sandbox.InvokeAsync(payload, timeout);
            if (started) return await AnswerAsync(sandbox, logStart, outcome, timeout, tail);
        }
    }

    private async Task<(int, Dictionary<string, string>, byte[])> AnswerAsync(FakeLambdaSandbox sandbox, int logStart, InvocationOutcome? outcome, TimeSpan timeout, bool tail)
    {
        var headers = new Dictionary<string, string> { ["x-amzn-RequestId"] = Guid.NewGuid().ToString(), ["X-Amz-Executed-Version"] = "$LATEST" };
        await Task.Delay(20);
        if (tail)
        {
            string log = sandbox.LogSince(logStart);
            byte[] bytes = Encoding.UTF8.GetBytes(log);
            headers["X-Amz-Log-Result"] = Convert.ToBase64String(bytes.Length > 4096 ? bytes[^4096..] : bytes);
        }
        switch (outcome)
        {
            case InvocationOutcome.Answered answered:
                Return(sandbox);
                return (200, headers, answered.Envelope);
            case InvocationOutcome.Rejected rejected:
                Return(sandbox);
                headers["X-Amz-Function-Error"] = "Unhandled";
                return (200, headers, ErrorBody(rejected.ErrorType, rejected.Message));
            case InvocationOutcome.Lost lost:
                headers["X-Amz-Function-Error"] = "Unhandled";
                return (200, headers, ErrorBody("Runtime.ExitError", lost.Reason));
            default:
                headers["X-Amz-Function-Error"] = "Unhandled";
                return (200, headers, ErrorBody("Sandbox.Timedout", $"RequestId: {Guid.NewGuid()} Error: Task timed out after {timeout.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} seconds"));
        }
    }

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
        var sandbox = new FakeLambdaSandbox($"sandbox{Interlocked.Increment(ref _sandboxes)}", _root, function, _sandboxEnvironment);
        lock (_all) _all.Add(sandbox);
        return sandbox;
    }

    private void Return(FakeLambdaSandbox sandbox)
    {
        lock (_idle) _idle.Add(sandbox);
    }

    private readonly Dictionary<string, FunctionSetup> _configurations = [];

    private async Task<FunctionSetup> ConfigurationAsync(string functionName)
    {
        lock (_configurations)
            if (_configurations.TryGetValue(functionName, out FunctionSetup? known)) return known;
        // moto tells services apart by the request's signature, so this goes through a signed client.
        FunctionConfiguration function = await _control.GetFunctionConfigurationAsync(functionName)
            ?? throw new InvalidOperationException($"function {functionName} is not deployed on moto");
        var configuration = new FunctionSetup(functionName, function.MemorySize ?? 128, function.Timeout ?? 3, function.Runtime ?? "", function.Handler ?? "");
        lock (_configurations) _configurations[functionName] = configuration;
        return configuration;
    }

    /// <summary>Forgets what it knew of function configurations (after a redeploy).</summary>
    public void Refresh()
    {
        lock (_configurations) _configurations.Clear();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (FakeLambdaSandbox sandbox in Sandboxes) await sandbox.DisposeAsync();
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
