using System.Diagnostics;
using static Wren.Benchmarks.Aws.HarnessTools;

namespace Wren.Benchmarks.Local;

/// <summary>
/// Maps too big for one array, on the local backend: 10,000,000 small inputs, and inputs that total more than 2 GB
/// (the old limit of a Map's serialized inputs, which were one <c>byte[]</c>). Each Map's every result is checked.
/// </summary>
internal static class BigMapHarness
{
    public const string Usage = """
        --local-big [--calls N] [--megabytes N]
            A Map of --calls small inputs (default 10,000,000), then a Map of --megabytes inputs of 1 MiB each (default
            2,200, 2.3 GB in all), on local workers; prints each Map's time, rate and the process's peak memory.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        int calls = IntArgument(args, "--calls") ?? 10_000_000;
        int megabytes = IntArgument(args, "--megabytes") ?? 2_200;
        Console.WriteLine($"Machine: {Machine()}.");
        string storage = LocalFixture.NewStorageFolder();
        try
        {
            await using WrenExecutor executor = WrenExecutor.Create(new WrenOptions { Backend = WrenBackend.Local, StoragePath = storage, ConfigPath = "/nonexistent" });
            LocalFixture.Check([1, 2, 3], await executor.Map(Trivial.Increment, [1, 2, 3]));

            int[] many = [.. Enumerable.Range(0, calls)];
            var clock = Stopwatch.StartNew();
            int[] results = await executor.Map(Trivial.Increment, many);
            double seconds = clock.Elapsed.TotalSeconds;
            LocalFixture.Check(many, results);
            Console.WriteLine($"Map of {Thousands(calls)} small inputs: {Fixed(seconds, "0.00")} s, {Thousands(calls / seconds)} calls/s; peak memory {PeakMegabytes()} MB.");
            many = results = [];
            GC.Collect();

            // Each input is 1 MiB whose bytes all equal its index modulo 251; the function returns its length and first byte.
            byte[][] blocks = [.. Enumerable.Range(0, megabytes).Select(i => Enumerable.Repeat((byte)(i % 251), 1 << 20).ToArray())];
            long total = blocks.Sum(b => (long)b.Length);
            clock.Restart();
            long[] sizes = await executor.Map(static (byte[] block) => block.Length * 1000L + block[0], blocks);
            seconds = clock.Elapsed.TotalSeconds;
            for (int i = 0; i < megabytes; i++)
                if (sizes[i] != (1L << 20) * 1000 + i % 251) throw new InvalidOperationException($"results[{i}] is {sizes[i]}.");
            Console.WriteLine($"Map of {Thousands(megabytes)} inputs of 1 MiB ({Fixed(total / 1e9, "0.00")} GB): {Fixed(seconds, "0.00")} s, {Fixed(total / 1e9 / seconds, "0.00")} GB/s; peak memory {PeakMegabytes()} MB.");
            return 0;
        }
        finally
        {
            LocalFixture.DeleteStorageFolder(storage);
        }
    }

    private static string PeakMegabytes()
    {
        using Process self = Process.GetCurrentProcess();
        return Thousands(self.PeakWorkingSet64 / 1e6);
    }
}
