using System.Diagnostics;
using Wren.Protocol;

namespace Wren.Backends.Local;

/// <summary>
/// One local worker: <c>dotnet Wren.LambdaRuntime.dll</c> as a child process, with its output kept (the last lines,
/// for messages when it dies).
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private const int KeptLines = 30;

    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();
    private int _exitReported;

    private WorkerProcess(string id, Process process)
    {
        Id = id;
        _process = process;
    }

    public string Id { get; }

    public int ProcessId => _process.Id;

    public DateTimeOffset StartedAt { get; private init; }

    /// <summary>Raised once when the process exits, with a description of how.</summary>
    public event Action<WorkerProcess, string>? Exited;

    /// <summary>Receives each line the worker writes (stdout and stderr).</summary>
    public Action<string>? OnLine { get; set; }

    /// <summary>
    /// Starts a worker polling the Runtime API at <paramref name="runtimeEndpoint"/>, as the local backend's own
    /// (<see cref="WorkerLaunch.LocalRuntimeVariable"/>) unless <paramref name="localRuntime"/> is false, when it talks
    /// to it as to Lambda's.
    /// </summary>
    public static WorkerProcess Start(string id, string runtimeEndpoint, int memoryMb, TimeProvider time, bool localRuntime = true)
    {
        string host = WorkerFiles.DotnetHost();
        string assembly = WorkerFiles.RequireAssembly();
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        start.Environment[WorkerLaunch.RuntimeApiVariable] = runtimeEndpoint;
        start.Environment[WorkerLaunch.WorkerIdVariable] = id;
        if (localRuntime) start.Environment[WorkerLaunch.LocalRuntimeVariable] = "1";
        else start.Environment.Remove(WorkerLaunch.LocalRuntimeVariable);
        // The memory setting is the worker's GC heap limit, as Lambda's memory size limits a function.
        start.Environment["DOTNET_GCHeapHardLimit"] = $"0x{(long)memoryMb * 1024 * 1024:X}";
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_TieredPGO"] = "0";
        // Idle pool threads spin for work before they sleep; here the workers share the machine's cores with each other
        // and with the client, so a spinning thread takes a core from one that has work.
        start.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new WorkerProcess(id, process) { StartedAt = time.GetUtcNow() };
        process.OutputDataReceived += (_, e) => worker.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Keep(e.Data);
        process.Exited += (_, _) => worker.ReportExit();
        if (!process.Start()) throw new WrenException($"Could not start the local worker '{host} {assembly}'.");
        worker._runtimeFiles = RuntimeFiles(process.Id);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>
    /// The files the .NET runtime makes in the temp folder for a process's debugger and diagnostics (dotnet-trace,
    /// dotnet-counters), named for its id and its start time in <c>/proc</c>. It removes them when it exits, but not when it
    /// is killed, which is how a pool stops its workers: left there, every executor would leave three files in the temp
    /// folder, and a temp folder with thousands of them makes creating any file there several times slower. Linux only;
    /// elsewhere these are not files (Windows) or not named this way.
    /// </summary>
    internal static string[] RuntimeFiles(int processId)
    {
        if (!OperatingSystem.IsLinux()) return [];
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{processId}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone already, or hidden (/proc mounted with hidepid): the files are then left, as before.
            return [];
        }
        // The fields after the command name (in parentheses, which may hold spaces): the start time is the 20th of them.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        if (fields.Length < 20 || !ulong.TryParse(fields[19], out ulong startTime)) return [];
        string folder = Path.GetTempPath();
        return
        [
            Path.Combine(folder, $"clr-debug-pipe-{processId}-{startTime}-in"),
            Path.Combine(folder, $"clr-debug-pipe-{processId}-{startTime}-out"),
            Path.Combine(folder, $"dotnet-diagnostic-{processId}-{startTime}-socket"),
        ];
    }

    private string[] _runtimeFiles = [];

    /// <summary>Removes what the runtime left in the temp folder, once the process has exited.</summary>
    private void RemoveRuntimeFiles() => RemoveRuntimeFiles(Interlocked.Exchange(ref _runtimeFiles, []));

    /// <summary>Removes the <see cref="RuntimeFiles"/> of a process that has exited.</summary>
    internal static void RemoveRuntimeFiles(string[] files)
    {
        foreach (string file in files)
        {
            try
            {
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left behind: litter only, which no later process can take for its own (its start time differs).
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > KeptLines) _lastLines.Dequeue();
        }
        OnLine?.Invoke(line);
    }

    public string LastLines()
    {
        lock (_lastLines) return string.Join('\n', _lastLines);
    }

    private void ReportExit()
    {
        if (Interlocked.Exchange(ref _exitReported, 1) != 0) return;
        // Let the output readers catch up so the last lines are in the message.
        _process.WaitForExit();
        RemoveRuntimeFiles();
        int code = _process.ExitCode;
        string how = code > 128 && !OperatingSystem.IsWindows() ? $"was killed by signal {code - 128}{(code == 137 ? " (SIGKILL: killed, or out of memory)" : "")}" : $"exited with code {code}";
        string lines = LastLines();
        Exited?.Invoke(this, $"worker {Id} (pid {_process.Id}) {how}" + (lines.Length > 0 ? $"; its last output:\n{lines}" : ""));
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>How long disposing waits for a killed worker to be gone, before its runtime's files can be removed.</summary>
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(2);

    public void Dispose()
    {
        Kill();
        try
        {
            if (_process.WaitForExit(KillWait)) RemoveRuntimeFiles();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }
        _process.Dispose();
    }
}
