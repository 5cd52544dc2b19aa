using System.Diagnostics;
using static Wren.Benchmarks.Aws.HarnessTools;

namespace Wren.Benchmarks.Local;

/// <summary>
/// What <see cref="MapOptions.Speculation"/> costs and saves on the local backend: a Map of 200 calls of 50 ms each,
/// without stragglers and with 1% of them (2 calls) taking 10 s on their first attempt, each with and without
/// speculation, in alternating order; it reports the wall time and the runs made (the sum of every call's attempts).
/// </summary>
internal static class SpeculationHarness
{
    public const string Usage = """
        --speculation [--rounds N]
            Runs each of the four Maps N times (default 3) on 4 local workers and prints wall time and runs.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        int rounds = IntArgument(args, "--rounds") ?? 3;
        Console.WriteLine($"Machine: {Machine()}.");
        string folder = Path.Combine(Path.GetTempPath(), "wren-bench", $"speculation-{Guid.NewGuid():N}");
        await using WrenExecutor executor = WrenExecutor.Create(new WrenOptions
        {
            Backend = WrenBackend.Local,
            StoragePath = folder,
            LocalWorkers = 4,
            ConfigPath = Path.Combine(folder, "no-config.json"),
        });
        await executor.Map((int x) => x, Enumerable.Range(0, 100)).GetResultsAsync().ConfigureAwait(false);
        var results = new Dictionary<(bool Stragglers, bool Speculation), List<(double Seconds, int Runs)>>();
        for (int round = 0; round < rounds; round++)
        {
            foreach (bool stragglers in new[] { false, true })
            foreach (bool speculation in new[] { false, true })
            {
                var clock = Stopwatch.StartNew();
                FutureList<int> futures = executor.Map((int x, CallContext context) =>
                {
                    bool slow = stragglers && x % 100 == 7 && context.Attempt == 1;
                    context.CancellationToken.WaitHandle.WaitOne(slow ? TimeSpan.FromSeconds(10) : TimeSpan.FromMilliseconds(50));
                    return x;
                }, Enumerable.Range(0, 200), new MapOptions { Speculation = speculation, ChunkSize = 1, Timeout = TimeSpan.FromMinutes(1) });
                await futures.GetResultsAsync().ConfigureAwait(false);
                double seconds = clock.Elapsed.TotalSeconds;
                int runs = futures.Sum(f => f.Stats.Attempts);
                if (!results.TryGetValue((stragglers, speculation), out var list)) results[(stragglers, speculation)] = list = [];
                list.Add((seconds, runs));
                // Let the cancelled slow runs of the last Map end before the next one starts.
                await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
        }
        Console.WriteLine($"Load average after: {LoadAverage()}.");
        Console.WriteLine();
        Console.WriteLine("| Map | speculation | wall time, s (median) | runs (median) |");
        Console.WriteLine("| --- | --- | ---: | ---: |");
        foreach (((bool stragglers, bool speculation), var list) in results)
            Console.WriteLine($"| 200 calls of 50 ms{(stragglers ? ", 2 take 10 s once" : "")} | {(speculation ? "on" : "off")} | {Fixed(Percentile([.. list.Select(r => r.Seconds)], 50), "0.00")} | {Percentile([.. list.Select(r => (double)r.Runs)], 50):0} |");
        Directory.Delete(folder, recursive: true);
        return 0;
    }
}
