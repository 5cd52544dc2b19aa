using BenchmarkDotNet.Attributes;

namespace Wren.Benchmarks.Local;

/// <summary>
/// (2) A Map of 100,000 trivial calls (<see cref="Trivial.Increment"/>) through a warm local executor with one worker
/// per core, awaited for all the results: with the automatic chunk size (as a caller who passes no
/// <see cref="MapOptions.ChunkSize"/> gets) and with two explicit ones.
/// Baseline: the same delegate over the same inputs in-process with <c>Parallel.For</c>, into a results array.
/// Every iteration checks all 100,000 results.
/// </summary>
[Config(typeof(LocalMapConfig))]
public class LocalMapBenchmarks
{
    public const int Calls = 100_000;

    private readonly int[] _inputs = [.. Enumerable.Range(0, Calls)];
    private LocalFixture _fixture = null!;

    [GlobalSetup]
    public async Task SetupAsync() => _fixture = await LocalFixture.CreateWarmAsync();

    [GlobalCleanup]
    public async Task CleanupAsync() => await _fixture.DisposeAsync();

    [Benchmark(Baseline = true, Description = "in-process Parallel.For"), Calls(Calls)]
    public int[] MapInProcess()
    {
        int[] inputs = _inputs;
        var results = new int[inputs.Length];
        Func<int, int> function = Trivial.Increment;
        Parallel.For(0, inputs.Length, i => results[i] = function(inputs[i]));
        return Checked(results);
    }

    [Benchmark(Description = "Wren Map, automatic chunk size"), Calls(Calls)]
    public async Task<int[]> MapWrenAutomatic() => Checked(await _fixture.Executor.Map(Trivial.Increment, _inputs));

    [Benchmark(Description = "Wren Map, ChunkSize = 1000"), Calls(Calls)]
    public async Task<int[]> MapWrenChunk1000() =>
        Checked(await _fixture.Executor.Map(Trivial.Increment, _inputs, new MapOptions { ChunkSize = 1000 }));

    [Benchmark(Description = "Wren Map, ChunkSize = 100"), Calls(Calls)]
    public async Task<int[]> MapWrenChunk100() =>
        Checked(await _fixture.Executor.Map(Trivial.Increment, _inputs, new MapOptions { ChunkSize = 100 }));

    private int[] Checked(int[] results)
    {
        LocalFixture.Check(_inputs, results);
        return results;
    }
}
