using System.Diagnostics;
using Wren.Backends;
using Wren.Backends.Local;

namespace Wren.Tests.Backends.Lambda;

/// <summary>
/// One execution environment of the fake Lambda service: the real deployment package, started as the function's
/// runtime starts it (<see cref="RuntimeBootstrap"/>), with its own Runtime API. It runs one invocation at a time and keeps its output as the log.
/// </summary>
internal sealed class FakeLambdaSandbox : IAsyncDisposable
{
    private readonly RuntimeApiServer _api = new();
    private readonly Process _process;
    private readonly List<string> _log = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeLambdaSandbox(string id, string root, FunctionSetup function, IReadOnlyDictionary<string, string> environment)
    {
        Id = id;
        Function = function;
        int memoryMb = function.MemoryMb;
        ProcessStartInfo start = RuntimeBootstrap.StartInfo(function.Runtime, function.Handler, root);
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = root;
        foreach ((string key, string value) in environment) start.Environment[key] = value;
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = _api.Endpoint;
        start.Environment["AWS_LAMBDA_FUNCTION_NAME"] = function.Name;
        start.Environment["AWS_LAMBDA_LOG_STREAM_NAME"] = $"2026/11/21/[$LATEST]{id}";
        start.Environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = memoryMb.ToString();
        start.Environment["LAMBDA_TASK_ROOT"] = root;
        // Lambda enforces memory with the sandbox's cgroup; the GC heap limit is the nearest thing in a plain process.
        start.Environment["DOTNET_GCHeapHardLimit"] = $"0x{(long)memoryMb * 1024 * 1024:X}";
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.Exited += (_, _) =>
        {
            _api.WorkerLost(WorkerName, $"RequestId: {Id} Error: Runtime exited with error: {(_process.ExitCode > 128 ? $"signal: {(_process.ExitCode == 137 ? "killed" : (_process.ExitCode - 128).ToString())}" : $"exit status {_process.ExitCode}")}");
            _exited.TrySetResult();
        };
        StartedAt = Stopwatch.GetTimestamp();
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _api.WorkerReady += _ => FirstNextAt ??= Stopwatch.GetTimestamp();
    }

    public string Id { get; }

    /// <summary>The configuration it was started with; Lambda never reuses a sandbox across configurations.</summary>
    public FunctionSetup Function { get; }

    private string WorkerName => $"2026/11/21/[$LATEST]{Id}";

    public long StartedAt { get; }

    public long? FirstNextAt { get; private set; }

    public bool Exited => _process.HasExited;

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_log) _log.Add(line);
    }

    public string LogSince(int line)
    {
        lock (_log) return string.Join('\n', _log.Skip(line));
    }

    public int LogLength
    {
        get
        {
            lock (_log) return _log.Count;
        }
    }

    /// <summary>
    /// Runs one invocation to its end, or kills the sandbox at the function's timeout (a null outcome). Started is false
    /// when the runtime exited before it took the invocation (it may exit just after answering the previous one);
    /// Lambda then runs the invocation in a fresh sandbox, and so must the caller.
    /// </summary>
    public async Task<(bool Started, InvocationOutcome? Outcome)> InvokeAsync(byte[] payload, TimeSpan timeout)
    {
        var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var invocation = new LocalInvocation(payload, DateTimeOffset.UtcNow + timeout, () => taken.TrySetResult());
        _api.Enqueue(invocation);
        Task finished = await Task.WhenAny(invocation.Outcome.Task, Task.Delay(timeout), _exited.Task);
        if (invocation.Outcome.Task.IsCompleted) return (true, await invocation.Outcome.Task);
        if (finished == _exited.Task && !taken.Task.IsCompleted) return (false, null);
        Kill();
        return (true, null);
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _api.DisposeAsync();
        _process.Dispose();
    }
}
