using System.Diagnostics;
using System.Text.Json;
using static Wren.Benchmarks.Aws.HarnessTools;

namespace Wren.Benchmarks.Local;

/// <summary>
/// The local backend as a user first meets it, beside Python's <c>ProcessPoolExecutor</c> doing the same: in a fresh
/// process, one warm-up Map of 1,000 trivial calls, then single calls one after another (each awaited), then a Map of
/// 100,000 trivial calls (the process's second Map). Each round starts one fresh process of each kind, in alternating
/// order, so that load from elsewhere falls on both alike.
/// </summary>
internal static class UserViewHarness
{
    public const string Usage = """
        --local-vs-pool [--rounds N] [--calls N] [--size N] [--no-python]
            N fresh processes of each (default 5), each: a Map of 1,000, --calls single calls (default 200), a Map of
            --size calls (default 100,000). Prints the single call's p50 and p90 and the big Map's rate, per round and
            as medians, with where a single call's time goes on the Wren side (from as many single calls again after
            the big Map, traced through the executor's activities; the timed ones run with no listener).
        """;

    private const string ChildFlag = "--child";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        int calls = IntArgument(args, "--calls") ?? 200;
        int size = IntArgument(args, "--size") ?? 100_000;
        if (args.Contains(ChildFlag)) return await ChildAsync(calls, size, IntArgument(args, "--repeat") ?? 1).ConfigureAwait(false);
        int rounds = IntArgument(args, "--rounds") ?? 5;
        bool python = !args.Contains("--no-python");
        Console.WriteLine($"Machine: {Machine()}.");
        var wren = new List<Sample>();
        var pool = new List<Sample>();
        for (int round = 0; round < rounds; round++)
        {
            bool wrenFirst = round % 2 == 0;
            if (wrenFirst) wren.Add(Wren(calls, size));
            if (python) pool.Add(Python(calls, size));
            if (!wrenFirst) wren.Add(Wren(calls, size));
            Console.WriteLine($"round {round + 1}: Wren p50 {Fixed(wren[^1].P50, "0.000")} ms, {Thousands(wren[^1].Rate)} calls/s"
                + (python ? $"; ProcessPoolExecutor p50 {Fixed(pool[^1].P50, "0.000")} ms, {Thousands(pool[^1].Rate)} calls/s" : "")
                + $"  [{wren[^1].Detail}]");
        }
        Console.WriteLine($"Load average after: {LoadAverage()}.");
        Console.WriteLine();
        Console.WriteLine($"| side | rounds | single call p50 (median of rounds) | p90 | Map of {Thousands(size)}, calls/s (median) | first Map of 1,000 |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach ((string name, List<Sample> samples) in new[] { ("ProcessPoolExecutor (baseline)", pool), ("Wren local backend", wren) })
        {
            if (samples.Count == 0) continue;
            Console.WriteLine($"| {name} | {samples.Count} | {Fixed(Median(samples.Select(s => s.P50)), "0.000")} ms | {Fixed(Median(samples.Select(s => s.P90)), "0.000")} ms "
                + $"| {Thousands(Median(samples.Select(s => s.Rate)))} | {Fixed(Median(samples.Select(s => s.FirstMap * 1000)), "0")} ms |");
        }
        if (pool.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"Wren / ProcessPoolExecutor: single call p50 {Fixed(Median(wren.Select(s => s.P50)) / Median(pool.Select(s => s.P50)), "0.00")}× the time; "
                + $"Map rate {Fixed(Median(wren.Select(s => s.Rate)) / Median(pool.Select(s => s.Rate)), "0.00")}× the rate.");
        }
        return 0;
    }

    private sealed record Sample(double P50, double P90, double Rate, double FirstMap, string Detail);

    private static double Median(IEnumerable<double> values) => Percentile([.. values], 50);

    private static Sample Wren(int calls, int size)
    {
        string self = typeof(UserViewHarness).Assembly.Location;
        JsonElement json = Child("dotnet", [self, "--local-vs-pool", ChildFlag, "--calls", $"{calls}", "--size", $"{size}"]);
        double[] singles = [.. json.GetProperty("singles_ms").EnumerateArray().Select(e => e.GetDouble())];
        return new Sample(Percentile(singles, 50), Percentile(singles, 90), size / json.GetProperty("map_s").GetDouble(), json.GetProperty("first_map_s").GetDouble(),
            json.GetProperty("detail").GetString() ?? "");
    }

    private static Sample Python(int calls, int size)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "Local", "process_pool.py");
        JsonElement json = Child("python3", [script, $"{calls}", $"{size}"]);
        double[] singles = [.. json.GetProperty("singles_ms").EnumerateArray().Select(e => e.GetDouble())];
        return new Sample(Percentile(singles, 50), Percentile(singles, 90), size / json.GetProperty("map_s").GetDouble(), json.GetProperty("first_map_s").GetDouble(), "");
    }

    private static JsonElement Child(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        if (process.ExitCode != 0 || !last.StartsWith('{'))
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output}{error.Result}");
        return JsonDocument.Parse(last).RootElement.Clone();
    }

    /// <summary>
    /// The processor time of this process's children (the local workers) so far, to the nanosecond, from each of their
    /// threads' <c>/proc/.../schedstat</c>: with this process's own, it tells which side a Map's time goes to. Zero
    /// where there is no <c>/proc</c>.
    /// </summary>
    private static TimeSpan ChildrenCpu()
    {
        if (!Directory.Exists("/proc")) return TimeSpan.Zero;
        int self = Environment.ProcessId;
        long nanoseconds = 0;
        foreach (string folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out _)) continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(folder, "stat"));
                // The fields after the command's closing parenthesis: state, then the parent's id.
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) != self) continue;
                foreach (string thread in Directory.EnumerateDirectories(Path.Combine(folder, "task")))
                    nanoseconds += long.Parse(File.ReadAllText(Path.Combine(thread, "schedstat")).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // The process or thread ended while being read.
            }
        }
        return TimeSpan.FromTicks(nanoseconds / 100);
    }

    private const string WarmUpSource = "Wren.Benchmarks.WarmUp";

    /// <summary>One fresh process's run of the Wren side; prints its JSON line.</summary>
    private static async Task<int> ChildAsync(int calls, int size, int repeats)
    {
        string storage = LocalFixture.NewStorageFolder();
        try
        {
            var clock = Stopwatch.StartNew();
            await using WrenExecutor executor = WrenExecutor.Create(new WrenOptions { Backend = WrenBackend.Local, StoragePath = storage, ConfigPath = "/nonexistent" });
            int[] warm = [.. Enumerable.Range(0, 1000)];
            LocalFixture.Check(warm, await executor.Map(Trivial.Increment, warm));
            double firstMap = clock.Elapsed.TotalSeconds;
            // The single calls as a user makes them, with no telemetry listener (which makes every job and invocation an
            // Activity): their times are the ones reported.
            double[] singles = new double[calls];
            for (int i = 0; i < calls; i++)
            {
                long before = Stopwatch.GetTimestamp();
                int result = await executor.CallAsync(Trivial.Increment, i);
                singles[i] = Stopwatch.GetElapsedTime(before).TotalMilliseconds;
                if (result != i + 1) throw new InvalidOperationException($"CallAsync({i}) gave {result}.");
            }
            // From here the executor's own trace is kept: for the big Map, when its first invocation went out; after it, for
            // as many single calls again, when each one's job started running and its invocation was sent and answered.
            var spans = new System.Collections.Concurrent.ConcurrentQueue<(string Name, DateTime Start, DateTime End)>();
            using var listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name is "Wren" or WarmUpSource,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
                ActivityStopped = activity => spans.Enqueue((activity.OperationName, activity.StartTimeUtc, activity.StartTimeUtc + activity.Duration)),
            };
            ActivitySource.AddActivityListener(listener);
            // A listener's first activity sets up the tracing machinery (about 2 ms here, measured inside the executor),
            // which a user without a listener never pays, and one with a listener pays once: paid here, not in the Map.
            using (var warmUp = new ActivitySource(WarmUpSource)) warmUp.StartActivity("warm-up")?.Dispose();
            int[] many = [.. Enumerable.Range(0, size)];
            double mapSeconds = 0;
            string mapDetail = "";
            // --repeat (for a profiler to watch) runs the big Map again; the first one is what is reported.
            for (int repeat = 0; repeat < Math.Max(1, repeats); repeat++)
            {
                spans.Clear();
                TimeSpan pauseBefore = GC.GetTotalPauseDuration();
                int[] gcsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
                TimeSpan clientCpuBefore = Process.GetCurrentProcess().TotalProcessorTime, workersCpuBefore = ChildrenCpu();
                long allocatedBefore = GC.GetTotalAllocatedBytes(true);
                // Taken after the readings above (the workers' CPU is read from /proc, a millisecond or two), so that the
                // breakdown's times are the Map's own.
                DateTimeOffset submitted = DateTimeOffset.UtcNow;
                long mapStart = Stopwatch.GetTimestamp();
                FutureList<int> futures = executor.Map(Trivial.Increment, many);
                double returned = Stopwatch.GetElapsedTime(mapStart).TotalMilliseconds;
                int[] results = await futures;
                if (repeat > 0)
                {
                    // Each repeat's figures go to standard error, for comparing builds over many Maps.
                    Console.Error.WriteLine($"repeat {repeat}: {Fixed(Stopwatch.GetElapsedTime(mapStart).TotalMilliseconds, "0.0")} ms; CPU: this process {Fixed((Process.GetCurrentProcess().TotalProcessorTime - clientCpuBefore).TotalMilliseconds, "0")} ms, the workers {Fixed((ChildrenCpu() - workersCpuBefore).TotalMilliseconds, "0")} ms");
                    continue;
                }
                mapSeconds = Stopwatch.GetElapsedTime(mapStart).TotalSeconds;
                // For a profiler recording with the monotonic clock (perf record -k CLOCK_MONOTONIC): the big Map's window, in seconds.
                if (Environment.GetEnvironmentVariable("WREN_BENCH_MARK") is not null)
                    Console.Error.WriteLine($"mark {mapStart / (double)Stopwatch.Frequency:0.000000},{(mapStart / (double)Stopwatch.Frequency) + mapSeconds:0.000000} allocated {GC.GetTotalAllocatedBytes(true) - allocatedBefore}");
                double clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - clientCpuBefore).TotalMilliseconds, workersCpu = (ChildrenCpu() - workersCpuBefore).TotalMilliseconds;
                // The Map's own collections: read before the breakdown below makes a future and its stats for every call.
                TimeSpan mapPauses = GC.GetTotalPauseDuration() - pauseBefore;
                int[] mapGcs = [GC.CollectionCount(0) - gcsBefore[0], GC.CollectionCount(1) - gcsBefore[1], GC.CollectionCount(2) - gcsBefore[2]];
                LocalFixture.Check(many, results);
                // Where the big Map's time goes: until the first call starts on a worker, while calls run, after the last ends.
                DateTimeOffset firstStart = futures.Min(f => f.Stats.StartedAt!.Value), lastEnd = futures.Max(f => f.Stats.EndedAt!.Value);
                await Task.Delay(10);
                DateTime firstInvoke = spans.Where(s => s.Name == "Wren.Invoke").Select(s => s.Start).DefaultIfEmpty().Min();
                mapDetail = $"; Map: returned futures at {Fixed(returned, "0.0")} ms, first invocation at {Fixed((firstInvoke - submitted.UtcDateTime).TotalMilliseconds, "0.0")} ms, first call started at {Fixed((firstStart - submitted).TotalMilliseconds, "0.0")} ms, last ended at {Fixed((lastEnd - submitted).TotalMilliseconds, "0.0")} ms, "
                    + $"done at {Fixed(mapSeconds * 1000, "0.0")} ms; CPU: this process {Fixed(clientCpu, "0")} ms, the workers {Fixed(workersCpu, "0")} ms; {futures.Select(f => f.Stats.WorkerId).Distinct().Count()} workers; "
                    + $"GC pauses {Fixed(mapPauses.TotalMilliseconds, "0.0")} ms, collections gen0/1/2 {mapGcs[0]}/{mapGcs[1]}/{mapGcs[2]}";
            }
            // The traced single calls, after the big Map (which stays the process's second Map, after the calls above).
            double[] toJob = new double[calls], toInvoke = new double[calls], invokeToStart = new double[calls], endToAnswer = new double[calls];
            // Where a single call's time goes: to its start on the worker, the call, from its end to the awaited result.
            double[] toStart = new double[calls], run = new double[calls], back = new double[calls];
            for (int i = 0; i < calls; i++)
            {
                DateTimeOffset submitted = DateTimeOffset.UtcNow;
                Future<int> future = executor.CallAsync(Trivial.Increment, i);
                int result = await future;
                DateTimeOffset done = DateTimeOffset.UtcNow;
                if (result != i + 1) throw new InvalidOperationException($"CallAsync({i}) gave {result}.");
                if (future.Stats is { StartedAt: { } started, EndedAt: { } ended })
                {
                    toStart[i] = (started - submitted).TotalMilliseconds;
                    run[i] = (ended - started).TotalMilliseconds;
                    back[i] = (done - ended).TotalMilliseconds;
                    // This call's spans end once its bookkeeping (its record and stats written) is done: wait for them a while.
                    (string Name, DateTime Start, DateTime End)[] traced = [];
                    for (int wait = 0; wait < 200; wait++)
                    {
                        await Task.Delay(1);
                        traced = [.. spans];
                        if (traced.Any(s => s.Name == "Wren.Map" && s.Start >= submitted.UtcDateTime)) break;
                    }
                    spans.Clear();
                    // This call's spans only: the previous job's Map span ends after its bookkeeping, which may be after this call began.
                    if (traced.FirstOrDefault(s => s.Name == "Wren.Map" && s.Start >= submitted.UtcDateTime) is { Name: not null } map
                        && traced.FirstOrDefault(s => s.Name == "Wren.Invoke" && s.Start >= submitted.UtcDateTime) is { Name: not null } invoke)
                    {
                        toJob[i] = (map.Start - submitted.UtcDateTime).TotalMilliseconds;
                        toInvoke[i] = (invoke.Start - map.Start).TotalMilliseconds;
                        invokeToStart[i] = (started.UtcDateTime - invoke.Start).TotalMilliseconds;
                        endToAnswer[i] = (invoke.End - ended.UtcDateTime).TotalMilliseconds;
                    }
                }
            }
            string detail = $"single call p50: to start {Fixed(Percentile(toStart, 50), "0.000")} ms (to its job {Fixed(Percentile(toJob, 50), "0.000")}, "
                + $"job to invocation {Fixed(Percentile(toInvoke, 50), "0.000")}, invocation to the call's start {Fixed(Percentile(invokeToStart, 50), "0.000")}), "
                + $"run {Fixed(Percentile(run, 50), "0.000")} ms, back {Fixed(Percentile(back, 50), "0.000")} ms (to the invocation's answer {Fixed(Percentile(endToAnswer, 50), "0.000")})" + mapDetail;
            Console.WriteLine(JsonSerializer.Serialize(new { first_map_s = firstMap, singles_ms = singles, map_s = mapSeconds, detail }));
            return 0;
        }
        finally
        {
            LocalFixture.DeleteStorageFolder(storage);
        }
    }
}
