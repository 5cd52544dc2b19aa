using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Wren.Aws.Lambda;
using Wren.Backends;
using Wren.Backends.Lambda;
using Wren.Backends.Local;
using Wren.Protocol;

namespace Wren.Benchmarks.Aws;

/// <summary>
/// Lambda for one function, on loopback, for the S3 count: <c>Invoke</c> runs each invocation in a
/// <see cref="BootstrapSandbox"/> (the real <c>bootstrap</c> from the deployment package), synchronously
/// (RequestResponse: the worker's answer is the response) or asynchronously (Event: 202 at once, the invocation runs
/// afterwards). <c>GetFunctionConfiguration</c> answers with the function as <c>wren deploy-lambda</c> configures it
/// (the protocol variable, memory, timeout), which is all LambdaBackend asks of Lambda's control plane. Idle sandboxes
/// are reused, as Lambda reuses warm ones; at most <c>maxSandboxes</c> run at once and further invocations wait (the
/// machine has two cores). Requests are not authenticated.
/// </summary>
internal sealed class FakeLambda : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _root;
    private readonly IReadOnlyDictionary<string, string> _sandboxEnvironment;
    private readonly SemaphoreSlim _running;
    private readonly Stack<BootstrapSandbox> _idle = new();
    private readonly List<BootstrapSandbox> _all = [];
    private readonly List<Task> _background = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _sandboxes;
    private int _invocations;
    private int _failures;

    public FakeLambda(string root, string functionName, int memoryMb, int timeoutSeconds, int maxSandboxes, IReadOnlyDictionary<string, string> sandboxEnvironment)
    {
        _root = root;
        FunctionName = functionName;
        MemoryMb = memoryMb;
        TimeoutSeconds = timeoutSeconds;
        _sandboxEnvironment = sandboxEnvironment;
        _running = new SemaphoreSlim(maxSandboxes);
        _listener.Start(backlog: 512);
        Endpoint = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    public string Endpoint { get; }

    public string FunctionName { get; }

    /// <summary>The function's memory size, as GetFunctionConfiguration reports it and each sandbox's GC heap limit.</summary>
    public int MemoryMb { get; }

    /// <summary>The function's timeout: what GetFunctionConfiguration reports, and when the fake ends an invocation.</summary>
    public int TimeoutSeconds { get; }

    public int Invocations => Volatile.Read(ref _invocations);

    /// <summary>Invocations that ended in a function error (the worker rejected it, crashed or timed out).</summary>
    public int Failures => Volatile.Read(ref _failures);

    public int SandboxesStarted => Volatile.Read(ref _sandboxes);

    /// <summary>The process ids of every sandbox started, for the check that all have ended.</summary>
    public IReadOnlyList<int> ProcessIds
    {
        get
        {
            lock (_all) return [.. _all.Select(s => s.ProcessId)];
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                client.NoDelay = true;
                _ = ServeAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var exchange = new HttpExchange(client.GetStream());
                while (await exchange.ReadAsync(_stop.Token).ConfigureAwait(false) is { } request)
                {
                    (int status, Dictionary<string, string> headers, byte[] body) = await HandleAsync(request).ConfigureAwait(false);
                    await exchange.WriteAsync(status, headers, body, _stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task<(int, Dictionary<string, string>, byte[])> HandleAsync(HttpExchange.Request request)
    {
        string[] segments = request.Path.Split('?')[0].Trim('/').Split('/');
        // /2015-03-31/functions/{name}/invocations and /2015-03-31/functions/{name}/configuration
        if (segments.Length == 4 && segments[1] == "functions")
        {
            string name = Uri.UnescapeDataString(segments[2]);
            if (name != FunctionName) return Error(404, "ResourceNotFoundException", $"Function not found: {name}");
            if (request.Method == "POST" && segments[3] == "invocations") return await InvokeAsync(request).ConfigureAwait(false);
            if (request.Method == "GET" && segments[3] == "configuration") return (200, Json(), Configuration());
        }
        return Error(404, "ResourceNotFoundException", $"{request.Method} {request.Path} is not served by the fake");
    }

    private byte[] Configuration() => JsonSerializer.SerializeToUtf8Bytes(new FunctionConfiguration
    {
        FunctionName = FunctionName,
        FunctionArn = $"arn:aws:lambda:{MotoProcess.Region}:123456789012:function:{FunctionName}",
        Runtime = LambdaDeploymentSettings.ManagedRuntime,
        Handler = LambdaDeploymentSettings.ManagedHandler,
        MemorySize = MemoryMb,
        Timeout = TimeoutSeconds,
        Architectures = [LambdaDeploymentSettings.DefaultArchitecture],
        Environment = new FunctionEnvironment { Variables = new() { [LambdaDeploymentSettings.ProtocolVariable] = WrenProtocol.Version.ToString(CultureInfo.InvariantCulture) } },
        State = "Active",
    });

    private async Task<(int, Dictionary<string, string>, byte[])> InvokeAsync(HttpExchange.Request request)
    {
        Interlocked.Increment(ref _invocations);
        bool asynchronous = request.Headers.GetValueOrDefault("X-Amz-Invocation-Type") == "Event";
        Task<(int, Dictionary<string, string>, byte[])> run = RunAsync(request.Body);
        if (!asynchronous) return await run.ConfigureAwait(false);
        lock (_background)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(run);
        }
        return (202, new() { ["x-amzn-RequestId"] = Guid.NewGuid().ToString() }, []);
    }

    private async Task<(int, Dictionary<string, string>, byte[])> RunAsync(byte[] payload)
    {
        await _running.WaitAsync(_stop.Token).ConfigureAwait(false);
        try
        {
            BootstrapSandbox sandbox = Take();
            var timeout = TimeSpan.FromSeconds(TimeoutSeconds);
            InvocationOutcome? outcome = await sandbox.InvokeAsync(payload, timeout).ConfigureAwait(false);
            var headers = new Dictionary<string, string> { ["x-amzn-RequestId"] = Guid.NewGuid().ToString(), ["X-Amz-Executed-Version"] = "$LATEST", ["Content-Type"] = "application/json" };
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
                    return (200, headers, ErrorBody("Runtime.ExitError", $"{lost.Reason}\n{sandbox.LastLines()}"));
                default:
                    Interlocked.Increment(ref _failures);
                    headers["X-Amz-Function-Error"] = "Unhandled";
                    return (200, headers, ErrorBody("Sandbox.Timedout", $"Task timed out after {timeout.TotalSeconds:0.00} seconds"));
            }
        }
        finally
        {
            _running.Release();
        }
    }

    private BootstrapSandbox Take()
    {
        lock (_idle)
        {
            while (_idle.TryPop(out BootstrapSandbox? idle))
                if (!idle.Exited) return idle;
        }
        var sandbox = new BootstrapSandbox($"sandbox{Interlocked.Increment(ref _sandboxes)}", _root, MemoryMb, _sandboxEnvironment);
        lock (_all) _all.Add(sandbox);
        return sandbox;
    }

    private void Return(BootstrapSandbox sandbox)
    {
        lock (_idle) _idle.Push(sandbox);
    }

    private static Dictionary<string, string> Json() => new() { ["Content-Type"] = "application/json", ["x-amzn-RequestId"] = Guid.NewGuid().ToString() };

    private static (int, Dictionary<string, string>, byte[]) Error(int status, string type, string message) =>
        (status, new() { ["x-amzn-ErrorType"] = type, ["Content-Type"] = "application/json" },
            Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, string> { ["Type"] = "User", ["message"] = message })));

    private static byte[] ErrorBody(string type, string message) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["errorType"] = type, ["errorMessage"] = message });

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        BootstrapSandbox[] sandboxes;
        lock (_all) sandboxes = [.. _all];
        foreach (BootstrapSandbox sandbox in sandboxes) await sandbox.DisposeAsync().ConfigureAwait(false);
        Task[] background;
        lock (_background) background = [.. _background];
        await Task.WhenAll(background).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
