using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Wren.Backends.Local;

namespace Wren.Benchmarks.Local;

/// <summary>
/// (3) How long a local worker takes from process start to its first <c>next</c> request to the Runtime API: a fresh
/// executor (so a fresh <see cref="LocalWorkerPool"/>) per start, one call on it, and for each worker the time from
/// <see cref="WorkerProcess.StartedAt"/> (taken just before <c>Process.Start</c>) to the pool's
/// <see cref="LocalWorkerPool.WorkerReady"/>. BenchmarkDotNet does not fit: every sample needs a new process, and the
/// interval is measured between two events rather than around a method.
/// <para>
/// Each variant is a set of <c>DOTNET_*</c> environment variables set in this process while its workers start, so the
/// workers inherit them (the local backend passes its own environment on, then sets <c>DOTNET_GCHeapHardLimit</c>,
/// <c>DOTNET_gcServer=0</c> and <c>DOTNET_TieredPGO=0</c> itself, which a variant cannot change). Variants run in
/// turns, one start each per round, so that load from elsewhere on the machine falls on all of them alike.
/// </para>
/// <para>
/// Also measured: the first call on each fresh executor (worker start, code loading, the call, the answer), and a
/// floor: the same worker assembly started by hand without <c>AWS_LAMBDA_RUNTIME_API</c>, which makes it print one
/// line to stderr and exit: the time to that line is what the .NET host and runtime take to reach the worker's Main.
/// </para>
/// </summary>
internal static class WorkerStartHarness
{
    private sealed record Variant(string Name, int Workers, IReadOnlyDictionary<string, string> Environment);

    private sealed class Samples
    {
        public List<double> StartToNext { get; } = [];
        public List<double> FirstCall { get; } = [];
    }

    public const string Usage = """
        --worker-start [--starts N] [--env-variants]
            Times local worker starts (process start to first `next` request) over N fresh executors (default 20).
            With --env-variants, also with DOTNET_* settings that may change start time, and with two workers at once.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        int starts = IntArgument(args, "--starts") ?? 20;
        bool variants = args.Contains("--env-variants");
        var plan = new List<Variant> { new("as the local backend starts it (1 worker)", 1, new Dictionary<string, string>()) };
        if (variants)
        {
            plan.Add(new("2 workers at once (the default pool on 2 cores)", 2, new Dictionary<string, string>()));
            plan.Add(new("DOTNET_TieredCompilation=0", 1, new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "0" }));
            plan.Add(new("DOTNET_TC_QuickJitForLoops=0", 1, new Dictionary<string, string> { ["DOTNET_TC_QuickJitForLoops"] = "0" }));
            plan.Add(new("DOTNET_ReadyToRun=0", 1, new Dictionary<string, string> { ["DOTNET_ReadyToRun"] = "0" }));
            plan.Add(new("DOTNET_gcConcurrent=0", 1, new Dictionary<string, string> { ["DOTNET_gcConcurrent"] = "0" }));
            plan.Add(new("DOTNET_GCgen0size=0x4000000 (64 MB)", 1, new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0x4000000" }));
        }

        Console.WriteLine($"Local worker start: {starts} starts per variant; {System.Environment.ProcessorCount} cores; load average {LoadAverage()}.");
        string storage = LocalFixture.NewStorageFolder();
        var results = plan.ToDictionary(v => v, _ => new Samples());
        var floor = new List<double>();
        try
        {
            // One start that is not counted: it stores the code, and jits this process's side of a first call.
            await StartOnceAsync(plan[0], storage, new Samples()).ConfigureAwait(false);
            await FloorOnceAsync().ConfigureAwait(false);
            for (int round = 0; round < starts; round++)
            {
                foreach (Variant variant in plan) await StartOnceAsync(variant, storage, results[variant]).ConfigureAwait(false);
                floor.Add(await FloorOnceAsync().ConfigureAwait(false));
                if (!Console.IsOutputRedirected) Console.Write($"\rround {round + 1}/{starts}");
            }
            if (!Console.IsOutputRedirected) Console.WriteLine();
        }
        finally
        {
            LocalFixture.DeleteStorageFolder(storage);
        }

        Console.WriteLine($"Load average after: {LoadAverage()}.");
        Console.WriteLine();
        Console.WriteLine("Process start to first `next` request (ms):");
        Console.WriteLine();
        Console.WriteLine("| variant | samples | min | p50 | p90 | max | first call on a new executor, p50 |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (Variant variant in plan)
        {
            Samples s = results[variant];
            Console.WriteLine($"| {variant.Name} | {s.StartToNext.Count} | {Ms(Percentile(s.StartToNext, 0))} | {Ms(Percentile(s.StartToNext, 50))} | {Ms(Percentile(s.StartToNext, 90))} | {Ms(Percentile(s.StartToNext, 100))} | {Ms(Percentile(s.FirstCall, 50))} |");
        }
        Console.WriteLine($"| floor: worker assembly to its first output line, no Runtime API | {floor.Count} | {Ms(Percentile(floor, 0))} | {Ms(Percentile(floor, 50))} | {Ms(Percentile(floor, 90))} | {Ms(Percentile(floor, 100))} | |");
        return 0;
    }

    private static async Task StartOnceAsync(Variant variant, string storage, Samples samples)
    {
        foreach ((string name, string value) in variant.Environment) System.Environment.SetEnvironmentVariable(name, value);
        try
        {
            await using LocalFixture fixture = LocalFixture.Create(variant.Workers, storage);
            LocalWorkerPool pool = fixture.Pool;
            var readyAt = new ConcurrentDictionary<string, DateTimeOffset>();
            var allReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            pool.WorkerReady += id =>
            {
                readyAt[id] = TimeProvider.System.GetUtcNow();
                if (readyAt.Count == variant.Workers) allReady.TrySetResult();
            };
            long called = Stopwatch.GetTimestamp();
            int result = await fixture.Executor.CallAsync(Trivial.Increment, 41).GetResultAsync().ConfigureAwait(false);
            double firstCall = Stopwatch.GetElapsedTime(called).TotalMilliseconds;
            if (result != 42) throw new InvalidOperationException($"Increment(41) gave {result}.");
            await allReady.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            IReadOnlyList<WorkerProcess> workers = pool.Workers;
            if (workers.Count != variant.Workers) throw new InvalidOperationException($"{workers.Count} workers, not {variant.Workers}.");
            foreach (WorkerProcess worker in workers) samples.StartToNext.Add((readyAt[worker.Id] - worker.StartedAt).TotalMilliseconds);
            samples.FirstCall.Add(firstCall);
        }
        finally
        {
            foreach (string name in variant.Environment.Keys) System.Environment.SetEnvironmentVariable(name, null);
        }
    }

    /// <summary>Starts the worker assembly as the local backend does but without a Runtime API, and times its first line.</summary>
    private static async Task<double> FloorOnceAsync()
    {
        string worker = Wren.Backends.WorkerFiles.RequireAssembly();
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(worker);
        start.Environment.Remove("AWS_LAMBDA_RUNTIME_API");
        start.Environment["DOTNET_GCHeapHardLimit"] = $"0x{(long)MapOptions.DefaultMemoryMb * 1024 * 1024:X}";
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_TieredPGO"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = new Process { StartInfo = start };
        var firstLine = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) => firstLine.TrySetResult(Stopwatch.GetTimestamp());
        process.OutputDataReceived += (_, e) => firstLine.TrySetResult(Stopwatch.GetTimestamp());
        long started = Stopwatch.GetTimestamp();
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        long lineAt = await firstLine.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started, lineAt).TotalMilliseconds;
    }

    /// <summary>The dotnet host, found as the local backend finds it.</summary>
    private static string DotnetHost()
    {
        string? host = System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        string candidate = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet"));
        return File.Exists(candidate) ? candidate : "dotnet";
    }

    /// <summary>Nearest-rank percentile: the smallest sample with at least <paramref name="percent"/>% of the samples at or below it.</summary>
    private static double Percentile(List<double> samples, double percent)
    {
        if (samples.Count == 0) return double.NaN;
        double[] sorted = [.. samples.Order()];
        int rank = Math.Max(1, (int)Math.Ceiling(percent / 100 * sorted.Length));
        return sorted[rank - 1];
    }

    private static string Ms(double value) => double.IsNaN(value) ? "-" : value.ToString("0.0", CultureInfo.InvariantCulture);

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static int? IntArgument(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        if (at < 0 || at + 1 >= args.Length) return null;
        return int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new ArgumentException($"{name} needs a positive whole number, not '{args[at + 1]}'.");
    }
}
