using BenchmarkDotNet.Attributes;

namespace Wren.Benchmarks.Local;

/// <summary>
/// (1) One trivial call (<see cref="Trivial.Increment"/>) through a warm local executor, awaited: <c>CallAsync</c>
/// serializes the input, ships the already-stored function, a worker takes the invocation from the Runtime API, runs
/// it and answers, and the result is deserialized into the awaited future. One call per iteration, so the percentile
/// columns are those of single calls.
/// Baseline: the same delegate run in-process on the thread pool, <c>await Task.Run(() =&gt; Increment(x))</c>: the
/// least an asynchronous call off the caller's thread costs here.
/// </summary>
[Config(typeof(LocalCallConfig))]
public class LocalCallBenchmarks
{
    private LocalFixture _fixture = null!;
    private int _input;

    [GlobalSetup]
    public async Task SetupAsync() => _fixture = await LocalFixture.CreateWarmAsync();

    [GlobalCleanup]
    public async Task CleanupAsync() => await _fixture.DisposeAsync();

    [Benchmark(Baseline = true, Description = "in-process Task.Run")]
    public async Task<int> CallInProcess()
    {
        int x = _input++;
        return Checked(x, await Task.Run(() => Trivial.Increment(x)));
    }

    [Benchmark(Description = "Wren CallAsync, warm local workers")]
    public async Task<int> CallWren()
    {
        int x = _input++;
        return Checked(x, await _fixture.Executor.CallAsync(Trivial.Increment, x));
    }

    private static int Checked(int input, int result) =>
        result == input + 1 ? result : throw new InvalidOperationException($"Increment({input}) gave {result}.");
}
