using System.Diagnostics;
using Wren.Backends;
using Wren.Backends.Local;

namespace Wren.Benchmarks.Aws;

/// <summary>
/// One execution environment of <see cref="FakeLambda"/>: the real <c>bootstrap</c> of the deployment package, started
/// with the variables Lambda sets and its own Runtime API (<see cref="RuntimeApiServer"/>), and its own temp folder, as
/// each Lambda sandbox has its own <c>/tmp</c> (the worker caches code files there). One invocation at a time.
/// </summary>
internal sealed class BootstrapSandbox : IAsyncDisposable
{
    private readonly RuntimeApiServer _api = new();
    private readonly Process _process;
    private readonly string _temp;
    private readonly Queue<string> _lastLines = new();

    public BootstrapSandbox(string id, string root, int memoryMb, IReadOnlyDictionary<string, string> environment)
    {
        Id = id;
        _temp = Path.Combine(Path.GetTempPath(), "wren-bench", $"sandbox-tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_temp);
        var start = new ProcessStartInfo(Path.Combine(root, "bootstrap"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        foreach ((string key, string value) in environment) start.Environment[key] = value;
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = _api.Endpoint;
        start.Environment["AWS_LAMBDA_LOG_STREAM_NAME"] = $"2026/11/21/[$LATEST]{id}";
        start.Environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = memoryMb.ToString();
        start.Environment["LAMBDA_TASK_ROOT"] = root;
        start.Environment["TMPDIR"] = _temp;
        // Lambda enforces memory with the sandbox's cgroup; the GC heap limit is the nearest thing for a plain process.
        start.Environment["DOTNET_GCHeapHardLimit"] = $"0x{(long)memoryMb * 1024 * 1024:X}";
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.Exited += (_, _) => _api.WorkerLost(WorkerName, $"RequestId: {Id} Error: Runtime exited with exit status {SafeExitCode()}");
        _process.Start();
        ProcessId = _process.Id;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Id { get; }

    public int ProcessId { get; }

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

    private string SafeExitCode()
    {
        try
        {
            return _process.ExitCode.ToString();
        }
        catch (InvalidOperationException)
        {
            return "unknown";
        }
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 20) _lastLines.Dequeue();
        }
    }

    /// <summary>The last lines the bootstrap wrote, for error messages.</summary>
    public string LastLines()
    {
        lock (_lastLines) return string.Join('\n', _lastLines);
    }

    /// <summary>Runs one invocation to its end; null if it ran past <paramref name="timeout"/> (the sandbox is then killed).</summary>
    public async Task<InvocationOutcome?> InvokeAsync(byte[] payload, TimeSpan timeout)
    {
        var invocation = new LocalInvocation(payload, DateTimeOffset.UtcNow + timeout, () => { });
        _api.Enqueue(invocation);
        using var expiry = new CancellationTokenSource();
        Task finished = await Task.WhenAny(invocation.Outcome.Task, Task.Delay(timeout, expiry.Token)).ConfigureAwait(false);
        expiry.Cancel();
        if (finished == invocation.Outcome.Task) return await invocation.Outcome.Task.ConfigureAwait(false);
        Kill();
        return null;
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
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
        }
        await _api.DisposeAsync().ConfigureAwait(false);
        _process.Dispose();
        RuntimeZip.DeleteFolder(_temp);
    }
}
