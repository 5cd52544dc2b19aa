using System.Diagnostics;
using Wren.Aws.Lambda;
using Wren.Backends.Lambda;
using Wren.Benchmarks.Local;
using static Wren.Benchmarks.Aws.HarnessTools;

namespace Wren.Benchmarks.Aws;

/// <summary>
/// (issue 12) How a Map fits the Lambda function it runs on, through <see cref="Wren.TestSupport.Lambda.FakeLambdaService"/> (the real
/// <c>bootstrap</c> in sandboxes, S3 on moto_server, see <see cref="LambdaRig"/>) and the real executor over a real
/// <see cref="LambdaBackend"/>, on a 2,048 MB function with a 60 s timeout:
/// <list type="number">
/// <item>what <see cref="MapOptions.WorkerParallelism"/> buys for calls that wait: Maps of calls that sleep 50 ms,
/// at 1, at the default (the worker's processor count) and at 8, taking turns for a few rounds after a warm-up Map;</item>
/// <item>the invocations of a Map of trivial calls with no <see cref="MapOptions.Timeout"/> (the call timeout is then
/// the function's own), and the outcome of the same Map asking for 5 minutes, more than the function allows.</item>
/// </list>
/// Every Map has the same <see cref="MapOptions.MaxConcurrency"/>: the fake's sandboxes.
/// </summary>
internal static class LambdaFitHarness
{
    public const string Usage = $"""
        --lambda-fit [--calls N] [--rounds R] [--sandboxes S]
            Runs Maps of N calls (default 1,000) through the Lambda backend on a 2,048 MB, 60 s fake function, at
            most S invocations in flight and S sandboxes (default 4): calls that sleep 50 ms at
            WorkerParallelism 1, default and 8, R rounds (default 3) after a warm-up Map; then trivial calls without and
            with a 5-minute Timeout. {RuntimeZip.Usage}
        """;

    private const string FunctionName = "wren-fit-bench";
    private const int MemoryMb = 2048;
    private const int TimeoutSeconds = 60;
    private const int SleepMs = 50;

    /// <summary>A call that waits without using the CPU, as one waiting on I/O does, then answers x + 1.</summary>
    private static readonly Func<int, int> SleepThenIncrement = static x =>
    {
        Thread.Sleep(SleepMs);
        return x + 1;
    };

    /// <summary>A setting of <see cref="MapOptions.WorkerParallelism"/>: null for the worker's default.</summary>
    private sealed record Variant(int? WorkerParallelism)
    {
        public string Name => WorkerParallelism is { } n ? n.ToString() : "default";
    }

    /// <summary>One Map's outcome: its wall time, the invocations the fake counted, its cost, and its correct results or why it was refused.</summary>
    private sealed record MapRun(double Seconds, int Invocations, JobCost Cost, int Correct, string? Refusal);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        int calls = IntArgument(args, "--calls") ?? 1_000;
        int rounds = IntArgument(args, "--rounds") ?? 3;
        int sandboxes = IntArgument(args, "--sandboxes") ?? 4;
        Variant[] variants = [new(1), new(null), new(8)];

        Console.WriteLine($"Machine: {Machine()}.");
        var package = await RuntimeZip.GetAsync(args).ConfigureAwait(false);
        var runs = variants.ToDictionary(v => v, _ => new List<MapRun>());
        MapRun untimed, fiveMinutes;
        int workerProcessors;
        LambdaRig rig = await LambdaRig.StartAsync(package).ConfigureAwait(false);
        try
        {
            Console.WriteLine($"{rig}; function {Thousands(MemoryMb)} MB, {TimeoutSeconds} s; MaxConcurrency {sandboxes}, at most {sandboxes} sandboxes at once; {Thousands(calls)} calls per Map.");
            LambdaRig.Function lambda = rig.StartLambda(FunctionName, MemoryMb, TimeoutSeconds, sandboxes);
            await using (WrenExecutor executor = rig.CreateExecutor(lambda, InvocationType.RequestResponse, "wren-fit", configuredTimeout: null))
            {
                var fit = new Fit(executor, lambda, calls, sandboxes);
                await fit.RunAsync(SleepThenIncrement, "warm-up, default parallelism").ConfigureAwait(false);
                workerProcessors = await fit.WorkerProcessorCountAsync().ConfigureAwait(false);
                Console.WriteLine($"  The worker's processor count in a sandbox (its default parallelism): {workerProcessors}.");
                for (int round = 0; round < rounds; round++)
                    foreach (Variant variant in InTurn(variants, round))
                        runs[variant].Add(await fit.RunAsync(SleepThenIncrement, $"round {round + 1}, WorkerParallelism {variant.Name}", variant.WorkerParallelism).ConfigureAwait(false));
                untimed = await fit.RunAsync(Trivial.Increment, "x => x + 1, no Timeout").ConfigureAwait(false);
                fiveMinutes = await fit.RunAsync(Trivial.Increment, "x => x + 1, Timeout 5 minutes", timeout: TimeSpan.FromMinutes(5)).ConfigureAwait(false);
            }
            Console.WriteLine($"Load average after: {LoadAverage()}; {lambda.Service.Sandboxes.Count} sandboxes started, {lambda.Service.Failures} invocations failed.");
            if (lambda.Service.Failures > 0) throw new InvalidOperationException($"{lambda.Service.Failures} invocations failed in the fake Lambda.");
        }
        finally
        {
            await rig.DisposeAsync().ConfigureAwait(false);
        }

        PrintParallelism(runs, calls, rounds, sandboxes, workerProcessors);
        PrintTimeout(untimed, fiveMinutes, calls);
        return rig.ReportExited();
    }

    /// <summary>The variants in round <paramref name="round"/>'s order: each round starts with the next, so each takes every place in turn.</summary>
    private static IEnumerable<Variant> InTurn(Variant[] variants, int round) =>
        variants.Skip(round % variants.Length).Concat(variants.Take(round % variants.Length));

    /// <summary>Runs the harness's Maps on one executor and fake function, with the same MaxConcurrency each time.</summary>
    private sealed class Fit(WrenExecutor executor, LambdaRig.Function lambda, int calls, int maxConcurrency)
    {
        public async Task<MapRun> RunAsync(Func<int, int> function, string name, int? workerParallelism = null, TimeSpan? timeout = null)
        {
            var options = new MapOptions { MaxConcurrency = maxConcurrency, WorkerParallelism = workerParallelism, Timeout = timeout };
            int invocationsFrom = lambda.Service.Invocations;
            long started = Stopwatch.GetTimestamp();
            FutureList<int> futures = executor.Map(function, Enumerable.Range(0, calls), options);
            int correct = 0;
            string? refusal = null;
            try
            {
                int[] outputs = await futures.GetResultsAsync().ConfigureAwait(false);
                correct = Enumerable.Range(0, calls).Count(i => outputs[i] == i + 1);
            }
            catch (WrenException e)
            {
                refusal = e.Message;
            }
            var run = new MapRun(Stopwatch.GetElapsedTime(started).TotalSeconds, lambda.Service.Invocations - invocationsFrom, futures.Cost, correct, refusal);
            Console.WriteLine($"  {name}: {run.Seconds:0.00} s, {run.Invocations} invocations (Cost: {run.Cost.Invocations}), {run.Correct} of {calls} correct{(refusal is null ? "." : $"; refused: {refusal}")}");
            return run;
        }

        /// <summary>What <see cref="Environment.ProcessorCount"/> is inside a sandbox: the worker's default parallelism.</summary>
        public async Task<int> WorkerProcessorCountAsync()
        {
            int[] counts = await executor.Map(static (int _) => Environment.ProcessorCount, [0], new MapOptions { MaxConcurrency = maxConcurrency }).GetResultsAsync().ConfigureAwait(false);
            return counts[0];
        }
    }

    private static void PrintParallelism(Dictionary<Variant, List<MapRun>> runs, int calls, int rounds, int sandboxes, int workerProcessors)
    {
        List<MapRun> one = runs.Single(r => r.Key.WorkerParallelism == 1).Value;
        double baseline = Median(one.Select(r => r.Seconds)), baselineGbSeconds = Median(one.Select(r => r.Cost.BilledGbSeconds));
        Console.WriteLine();
        Console.WriteLine($"A Map of {Thousands(calls)} calls that each sleep {SleepMs} ms and return x + 1, on a {Thousands(MemoryMb)} MB, {TimeoutSeconds} s function; MaxConcurrency {sandboxes} "
            + $"(the fake's sandboxes); {rounds} rounds after a warm-up Map, the variants taking turns; the default parallelism is the sandbox's processor count, {workerProcessors}.");
        Console.WriteLine();
        Console.WriteLine("| WorkerParallelism | wall time, s (median) | range | time vs 1 | invocations (fake Lambda) | Cost.Invocations | billed GB-s (median) | GB-s vs 1 | results correct |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach ((Variant variant, List<MapRun> list) in runs)
        {
            double median = Median(list.Select(r => r.Seconds)), gbSeconds = Median(list.Select(r => r.Cost.BilledGbSeconds));
            string name = variant.WorkerParallelism is null ? $"default ({workerProcessors})" : variant.Name;
            Console.WriteLine($"| {name} | {median:0.00} | {list.Min(r => r.Seconds):0.00} to {list.Max(r => r.Seconds):0.00} | {median / baseline:0.00} | "
                + $"{Spread(list.Select(r => r.Invocations))} | {Spread(list.Select(r => r.Cost.Invocations))} | {gbSeconds:0.0} | {gbSeconds / baselineGbSeconds:0.00} | "
                + $"{Thousands(list.Sum(r => r.Correct))} of {Thousands(calls * list.Count)} |");
        }
    }

    private static void PrintTimeout(MapRun untimed, MapRun fiveMinutes, int calls)
    {
        Console.WriteLine();
        Console.WriteLine($"A Map of {Thousands(calls)} calls of x => x + 1 on the same {TimeoutSeconds} s function (before issue 12, the 5-minute default timeout made 1,010 invocations for it):");
        Console.WriteLine();
        Console.WriteLine("| MapOptions.Timeout | wall time, s | invocations (fake Lambda) | Cost.Invocations | outcome |");
        Console.WriteLine("| --- | ---: | ---: | ---: | --- |");
        foreach ((string timeout, MapRun run) in new[] { ($"none (the function's {TimeoutSeconds} s)", untimed), ("5 minutes", fiveMinutes) })
            Console.WriteLine($"| {timeout} | {run.Seconds:0.00} | {run.Invocations} | {run.Cost.Invocations} | {(run.Refusal is null ? $"{Thousands(run.Correct)} of {Thousands(calls)} correct" : "refused (WrenException)")} |");
        Console.WriteLine();
        Console.WriteLine($"The refusal: {fiveMinutes.Refusal ?? "none: the Map ran"}");
    }

    private static double Median(IEnumerable<double> samples) => Percentile([.. samples], 50);

    /// <summary>One number when every round gave the same, else the lowest and highest.</summary>
    private static string Spread(IEnumerable<int> values)
    {
        int[] all = [.. values];
        return all.Min() == all.Max() ? Thousands(all[0]) : $"{Thousands(all.Min())} to {Thousands(all.Max())}";
    }
}
