// Estimate pi by throwing random darts at a square: each call throws its own darts, from its own seed.
using System.Diagnostics;
using Wren;
using Wren.Deploy.Progress;

const int Tasks = 64;
const int DartsPerTask = 2_000_000;

await using var executor = WrenExecutor.Create();
var clock = Stopwatch.StartNew();
var progress = new MapProgressDisplay(Console.Error, interactive: !Console.IsErrorRedirected);
FutureList<long> futures = executor.Map((int seed) =>
{
    var random = new Random(seed);
    long inside = 0;
    for (int i = 0; i < DartsPerTask; i++)
    {
        double x = random.NextDouble();
        double y = random.NextDouble();
        if (x * x + y * y <= 1) inside++;
    }
    return inside;
}, Enumerable.Range(1, Tasks), new MapOptions { Progress = progress.Progress });
long[] hits = await progress.ShowAsync("darts", futures.GetResultsAsync());

double pi = 4.0 * hits.Sum() / ((long)Tasks * DartsPerTask);
Console.WriteLine($"{Tasks} tasks x {DartsPerTask:N0} darts on {executor.Backend}: pi ~ {pi:F6} (error {Math.Abs(pi - Math.PI):E1}) in {clock.Elapsed.TotalSeconds:F1} s");
return Math.Abs(pi - Math.PI) < 1e-3 ? 0 : 1;
