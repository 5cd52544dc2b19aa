using System.Diagnostics;
using Amazon.S3;
using Amazon.S3.Model;
using Wren.Storage;
using Wren.TestSupport;
using static Wren.Benchmarks.Aws.HarnessTools;

namespace Wren.Benchmarks.Data;

/// <summary>
/// Reading data in storage (issue 10): the throughput of reading a 256 MB object through <see cref="WrenStorage.OpenReadAsync"/>
/// and through <see cref="ObjectChunk.OpenRead"/> (ranged windows), next to a plain read of the same object in the same
/// run (S3's GetObject on moto; a FileStream on local disk); and the peak memory of a local worker whose call reads a
/// 64 KB chunk of that object, next to one whose call reads nothing and one that reads the whole object.
/// </summary>
internal static class DataReadHarness
{
    public const string Usage = """
        --data-read [--megabytes N] [--rounds N]
            Writes an N MB object (default 256) to moto's S3 and to a local folder, reads it whole R times (default 3) each
            way, then runs three calls on fresh local workers and reports their peak memory.
        """;

    private const int Window = 1 << 20;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        int megabytes = IntArgument(args, "--megabytes") ?? 256;
        int rounds = IntArgument(args, "--rounds") ?? 3;
        Console.WriteLine($"Machine: {Machine()}.");
        byte[] data = new byte[megabytes * (1 << 20)];
        new Random(1).NextBytes(data);
        for (int i = 99; i < data.Length; i += 100) data[i] = (byte)'\n';
        string folder = Path.Combine(Path.GetTempPath(), "wren-bench", $"data-{Guid.NewGuid():N}");
        var rows = new List<(string Store, string Way, List<double> MBps)>();

        await using (MotoServer moto = await MotoServer.StartAsync().ConfigureAwait(false))
        {
            Func<string, string?> environment = name => moto.Variables().GetValueOrDefault(name);
            using IAmazonS3 s3 = S3Storage.CreateClient(MotoServer.Region, environment: environment);
            await s3.PutBucketAsync("wren-data-bench").ConfigureAwait(false);
            using var bucket = new S3Storage("wren-data-bench", MotoServer.Region, environment: environment);
            await bucket.PutAsync("big.bin", new MemoryStream(data)).ConfigureAwait(false);
            var storage = new WrenStorage(bucket, null);
            rows.Add(("moto S3", "GetObject, response stream read to the end (baseline)", await TimeAsync(rounds, data.Length, async () =>
            {
                using GetObjectResponse response = await s3.GetObjectAsync("wren-data-bench", "big.bin").ConfigureAwait(false);
                return await DrainAsync(response.ResponseStream).ConfigureAwait(false);
            }).ConfigureAwait(false)));
            rows.Add(("moto S3", "WrenStorage.OpenReadAsync", await TimeAsync(rounds, data.Length, async () =>
            {
                await using Stream stream = await storage.OpenReadAsync("big.bin").ConfigureAwait(false);
                return await DrainAsync(stream).ConfigureAwait(false);
            }).ConfigureAwait(false)));
            rows.Add(("moto S3", "ObjectChunk.OpenRead, whole object as one chunk (one streamed ranged read)", await TimeAsync(rounds, data.Length, () =>
                DrainAsync(new ObjectChunk("big.bin", null, "big.bin", 0, data.Length, data.Length, 0, true, storage).OpenRead())).ConfigureAwait(false)));
        }

        using var files = new FileStorage(folder);
        await files.PutAsync("big.bin", data).ConfigureAwait(false);
        var local = new WrenStorage(files, null);
        rows.Add(("local folder", "FileStream read to the end (baseline)", await TimeAsync(rounds, data.Length, async () =>
        {
            await using var stream = new FileStream(files.PathOf("big.bin"), FileMode.Open, FileAccess.Read, FileShare.Read, Window, useAsync: true);
            return await DrainAsync(stream).ConfigureAwait(false);
        }).ConfigureAwait(false)));
        rows.Add(("local folder", "WrenStorage.OpenReadAsync", await TimeAsync(rounds, data.Length, async () =>
        {
            await using Stream stream = await local.OpenReadAsync("big.bin").ConfigureAwait(false);
            return await DrainAsync(stream).ConfigureAwait(false);
        }).ConfigureAwait(false)));
        rows.Add(("local folder", "ObjectChunk.OpenRead, whole object as one chunk (one streamed ranged read)", await TimeAsync(rounds, data.Length, () =>
            DrainAsync(new ObjectChunk("big.bin", null, "big.bin", 0, data.Length, data.Length, 0, true, local).OpenRead())).ConfigureAwait(false)));

        Console.WriteLine();
        Console.WriteLine($"Reading a {megabytes} MB object, {rounds} rounds each (MB/s, best and median):");
        Console.WriteLine();
        Console.WriteLine("| store | read | best | median |");
        Console.WriteLine("| --- | --- | ---: | ---: |");
        foreach ((string store, string way, List<double> rates) in rows)
            Console.WriteLine($"| {store} | {way} | {Fixed(rates.Max(), "0")} | {Fixed(Percentile(rates, 50), "0")} |");

        Console.WriteLine();
        Console.WriteLine($"Peak memory (VmHWM) of a fresh local worker after one call, the {megabytes} MB object in the local data folder:");
        Console.WriteLine();
        Console.WriteLine("| call | peak MB |");
        Console.WriteLine("| --- | ---: |");
        long middle = data.Length / 2;
        (string Name, Func<WrenExecutor, Future<long>> Call)[] calls =
        [
            ("reads nothing (baseline)", executor => executor.CallAsync((int x) => (long)x, 0)),
            ("reads a 64 KB chunk from the middle (ObjectChunk.OpenText, line by line)", executor => executor.CallAsync((ObjectChunk chunk) =>
            {
                using TextReader reader = chunk.OpenText();
                long lines = 0;
                while (reader.ReadLine() is not null) lines++;
                return lines;
            }, new ObjectChunk("big.bin", null, "big.bin", middle, 65_536, data.Length, 0, true, null))),
            ("reads the whole object (CallContext.Storage.GetAsync)", executor => executor.Map((int x, CallContext context) =>
                (long)context.Storage.GetAsync("big.bin").GetAwaiter().GetResult().Length, [0])[0]),
        ];
        foreach ((string name, Func<WrenExecutor, Future<long>> call) in calls)
        {
            await using WrenExecutor executor = WrenExecutor.Create(new WrenOptions
            {
                Backend = WrenBackend.Local,
                StoragePath = Path.Combine(folder, "jobs"),
                DataPath = folder,
                LocalWorkers = 1,
                ConfigPath = Path.Combine(folder, "no-config.json"),
            });
            Future<long> future = call(executor);
            await future.GetResultAsync().ConfigureAwait(false);
            Console.WriteLine($"| {name} | {Fixed((future.Stats.PeakMemoryBytes ?? 0) / 1048576.0, "0")} |");
        }
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    private static async Task<List<double>> TimeAsync(int rounds, long expected, Func<Task<long>> read)
    {
        await read().ConfigureAwait(false);
        var rates = new List<double>();
        for (int i = 0; i < rounds; i++)
        {
            var clock = Stopwatch.StartNew();
            long bytes = await read().ConfigureAwait(false);
            if (bytes != expected) throw new InvalidOperationException($"read {bytes} bytes, expected {expected}");
            rates.Add(bytes / 1048576.0 / clock.Elapsed.TotalSeconds);
        }
        return rates;
    }

    private static async Task<long> DrainAsync(Stream stream)
    {
        byte[] buffer = new byte[Window];
        long total = 0;
        await using (stream)
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0) total += read;
        }
        return total;
    }
}
