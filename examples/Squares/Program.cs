// The PyWren hello world, in C#: square a thousand numbers on workers, then check the sum.
using System.Diagnostics;
using Wren;
using Wren.Deploy.Progress;

await using var executor = WrenExecutor.Create();
Console.WriteLine($"Backend: {executor.Backend}");

var clock = Stopwatch.StartNew();
var progress = new MapProgressDisplay(Console.Error, interactive: !Console.IsErrorRedirected);
FutureList<int> futures = executor.Map((int x) => x * x, Enumerable.Range(0, 1000), new MapOptions { Progress = progress.Progress });
int[] squares = await progress.ShowAsync("squares", futures.GetResultsAsync());
Console.WriteLine($"Squared 1,000 numbers in {clock.ElapsedMilliseconds} ms (workers started cold).");

clock.Restart();
int[] again = await executor.Map((int x) => x * x, Enumerable.Range(0, 1000));
Console.WriteLine($"Again, warm: {clock.ElapsedMilliseconds} ms.");

long sum = squares.Sum(s => (long)s);
long expected = Enumerable.Range(0, 1000).Sum(x => (long)x * x);
Console.WriteLine($"Sum of squares: {sum} (expected {expected}) {(sum == expected && again.SequenceEqual(squares) ? "OK" : "WRONG")}");
return sum == expected ? 0 : 1;
