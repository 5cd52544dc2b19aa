using System.Diagnostics;
using System.Globalization;
using Wren.Backends;
using Wren.Backends.Local;

namespace Wren.TestSupport.Lambda;

/// <summary>
/// One execution environment of the fake Lambda service: the real deployment package, started as the function's
/// runtime starts it (<see cref="RuntimeBootstrap"/>), with its own Runtime API (<see cref="RuntimeApiServer"/>). It runs
/// one invocation at a time and keeps its output as the log.
/// </summary>
internal sealed class FakeLambdaSandbox : IAsyncDisposable
{
    private readonly RuntimeApiServer _api = new();
    private readonly Process _process;
    private readonly string? _temp;
    private readonly string[] _runtimeFiles;
    private readonly List<string> _log = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="privateTemp">
    /// A temporary folder of its own, as each Lambda sandbox has its own <c>/tmp</c>, where the worker caches the code it
    /// fetches; otherwise the machine's, shared with every other sandbox, which then fetch the code only once.
    /// </param>
    public FakeLambdaSandbox(string id, string root, FunctionSetup function, IReadOnlyDictionary<string, string> environment, bool privateTemp)
    {
        Id = id;
        Function = function;
        if (privateTemp)
        {
            _temp = Path.Combine(Path.GetTempPath(), "wren-tests", $"sandbox-tmp-{Guid.NewGuid():N}");
            Directory.CreateDirectory(_temp);
        }
        int memoryMb = function.MemoryMb;
        ProcessStartInfo start = RuntimeBootstrap.StartInfo(function.Runtime, function.Handler, root);
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = root;
        foreach ((string key, string value) in environment) start.Environment[key] = value;
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = _api.Endpoint;
        start.Environment["AWS_LAMBDA_FUNCTION_NAME"] = function.Name;
        start.Environment["AWS_LAMBDA_LOG_STREAM_NAME"] = WorkerName;
        start.Environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = memoryMb.ToString(CultureInfo.InvariantCulture);
        start.Environment["LAMBDA_TASK_ROOT"] = root;
        if (_temp is not null) start.Environment["TMPDIR"] = _temp;
        // Lambda enforces memory with the sandbox's cgroup; the GC heap limit is the nearest thing in a plain process.
        start.Environment["DOTNET_GCHeapHardLimit"] = $"0x{(long)memoryMb * 1024 * 1024:X}";
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.Exited += (_, _) =>
        {
            _api.WorkerLost(WorkerName, $"RequestId: {Id} Error: Runtime exited with error: {(_process.ExitCode > 128 ? $"signal: {(_process.ExitCode == 137 ? "killed" : (_process.ExitCode - 128).ToString(CultureInfo.InvariantCulture))}" : $"exit status {_process.ExitCode}")}");
            _exited.TrySetResult();
        };
        _api.WorkerReady += _ => _ready.TrySetResult();
        _process.Start();
        ProcessId = _process.Id;
        _runtimeFiles = WorkerProcess.RuntimeFiles(ProcessId);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Id { get; }

    public int ProcessId { get; }

    /// <summary>The configuration it was started with; Lambda never reuses a sandbox across configurations.</summary>
    public FunctionSetup Function { get; }

    private string WorkerName => $"2026/11/21/[$LATEST]{Id}";

    public bool Exited
    {
        get
        {
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

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
    /// Runs one invocation to its end, or kills the sandbox at the function's timeout (a null outcome). As on Lambda,
    /// the timeout runs from the invoke phase: a new sandbox's start (its init phase) is not part of it. Started is
    /// false when the runtime exited before it took the invocation (it may exit just after answering the previous
    /// one); Lambda then runs the invocation in a fresh sandbox, and so must the caller.
    /// </summary>
    public async Task<(bool Started, InvocationOutcome? Outcome)> InvokeAsync(byte[] payload, TimeSpan timeout)
    {
        await Task.WhenAny(_ready.Task, _exited.Task).ConfigureAwait(false);
        if (!_ready.Task.IsCompleted) return (false, null);
        var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var invocation = new LocalInvocation(payload, DateTimeOffset.UtcNow + timeout, timeout, () => taken.TrySetResult());
        _api.Enqueue(invocation);
        using var expiry = new CancellationTokenSource();
        Task finished = await Task.WhenAny(invocation.Outcome.Task, Task.Delay(timeout, expiry.Token), _exited.Task).ConfigureAwait(false);
        await expiry.CancelAsync().ConfigureAwait(false);
        if (invocation.Outcome.Task.IsCompleted) return (true, await invocation.Outcome.Task.ConfigureAwait(false));
        if (finished == _exited.Task && !taken.Task.IsCompleted) return (false, null);
        Kill();
        return (true, null);
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // A killed runtime leaves its debugger pipes and diagnostics socket in the temp folder, as the local pool's workers would.
        if (_exited.Task.IsCompleted) WorkerProcess.RemoveRuntimeFiles(_runtimeFiles);
        await _api.DisposeAsync().ConfigureAwait(false);
        _process.Dispose();
        try
        {
            if (_temp is not null) Directory.Delete(_temp, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
