using Wren.Serialization;
using Wren.Storage;
using Wren.Tests.Functions;

namespace Wren.Tests.Backends;

/// <summary>
/// What every backend must do with functions and data, run against real workers: shipping every kind of function,
/// results in input order, inputs and outputs through storage, MapObjects and CallContext. Each backend's test class
/// derives from this; <see cref="BackendFailureContractTests"/> is the other half of the contract (failures, time,
/// cost), in classes of their own so that a backend's two halves run side by side.
/// </summary>
public abstract class BackendContractTests : BackendTests
{
    private static int Square(int x) => x * x;

    private static T Identity<T>(T value) => value;

    private static Box<T> Wrap<T>(T value) => new(value);

    [Fact]
    public async Task Map_StaticLambda_ReturnsResultsInInputOrder()
    {
        int[] results = await Executor.Map((int x) => x * x, Enumerable.Range(0, 200)).GetResultsAsync().WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(0, 200).Select(x => x * x), results);
    }

    /// <summary>
    /// A chunk's outputs of every size come back whole and in order: one byte (an empty string), a few bytes (many to a
    /// block of the worker's), enough to fill several blocks, and ones too large for a block (arrays of their own).
    /// </summary>
    [Fact]
    public async Task Map_OutputsOfMixedSizesInOneChunk_ComeBackWhole()
    {
        static string Output(int x) => x % 97 == 0 ? new string((char)('a' + x % 26), 20_000 + x) : x % 11 == 0 ? "" : new string((char)('a' + x % 26), x % 300);
        string[] results = await Executor.Map((int x) => Output(x), Enumerable.Range(0, 3_000), new MapOptions { ChunkSize = 3_000 }).GetResultsAsync().WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(0, 3_000).Select(Output), results);
    }

    [Fact]
    public async Task Map_AwaitedWhole_MakesNoFuture_AndOneAskedForLaterHasItsResultAndStats()
    {
        FutureList<int> futures = Executor.Map((int x) => x + 1, Enumerable.Range(0, 1_000));
        Assert.Equal(Enumerable.Range(1, 1_000), await futures.GetResultsAsync().WaitAsync(Patience));
        Assert.Equal(0, futures.States.FuturesMade);
        Future<int> future = futures[500];
        Assert.Equal((FutureStatus.Succeeded, 501), (future.Status, await future));
        Assert.NotNull(future.Stats.WorkerId);
        Assert.Equal(1, futures.States.FuturesMade);
    }

    /// <summary>
    /// Each call's bytes in and out, in its future's stats and the job's: the worker's answer does not repeat the
    /// inputs' lengths to the client that sent them, which fills them in.
    /// </summary>
    [Fact]
    public async Task CallStats_CountEachCallsInputAndOutputBytes()
    {
        string[] inputs = ["", "ten chars!", new string('x', 1_000), new string('y', 70_000)];
        FutureList<int> futures = Executor.Map((string s) => s.Length, inputs);
        Assert.Equal(inputs.Select(s => s.Length), await futures.GetResultsAsync().WaitAsync(Patience));

        long[] bytesIn = [.. futures.Select(f => f.Stats.BytesIn)];
        long[] bytesOut = [.. futures.Select(f => f.Stats.BytesOut ?? -1)];

        Assert.Equal(inputs.Select(s => (long)WrenSerializer.Serialize(s).Length), bytesIn);
        Assert.Equal(inputs.Select(s => (long)WrenSerializer.Serialize(s.Length).Length), bytesOut);
    }

    [Fact]
    public async Task CallStats_PeakMemory_CountsWhatTheCallTouched()
    {
        const int megabytes = 96;
        Future<int> future = Executor.CallAsync((int size) =>
        {
            byte[] block = GC.AllocateUninitializedArray<byte>(size << 20);
            // Every page written, so that it is resident.
            for (int i = 0; i < block.Length; i += 4096) block[i] = 1;
            return block.Length >> 20;
        }, megabytes);
        Assert.Equal(megabytes, await future.GetResultAsync().WaitAsync(Patience));
        Assert.True(future.Stats.PeakMemoryBytes >= (long)megabytes << 20, $"peak memory {future.Stats.PeakMemoryBytes} bytes, after the call touched {megabytes} MB");
    }

    [Fact]
    public async Task Map_NoInputs_ReturnsNoResults()
    {
        FutureList<int> futures = Executor.Map((int x) => x, []);
        Assert.Empty(futures);
        Assert.Empty(await futures.GetResultsAsync().WaitAsync(Patience));
    }

    [Fact]
    public async Task Map_LambdaCapturingLocalsAndNestedScopes_SeesTheirValues()
    {
        int offset = 7;
        string label = "n=";
        var results = new List<string>();
        for (int scale = 1; scale <= 2; scale++)
        {
            int captured = scale;
            results.AddRange(await Executor.Map((int x) => $"{label}{(x + offset) * captured}", [1, 2]).GetResultsAsync().WaitAsync(Patience));
        }
        Assert.Equal(["n=8", "n=9", "n=16", "n=18"], results);
    }

    [Fact]
    public async Task Map_LambdaCapturingParameter_SeesItsValue() =>
        Assert.Equal(new[] { 12, 13 }, await AddTo(10, [2, 3]));

    private Task<int[]> AddTo(int baseline, int[] inputs) => Executor.Map((int x) => baseline + x, inputs).GetResultsAsync().WaitAsync(Patience);

    [Fact]
    public async Task Map_LambdaCapturingThis_ShipsTheInstance()
    {
        var multiplier = new Multiplier(5);
        Assert.Equal(new[] { 5, 10, 15 }, await multiplier.MultiplyAll(Executor, [1, 2, 3]).GetResultsAsync().WaitAsync(Patience));
    }

    [Fact]
    public async Task Map_StaticMethodGroup_Runs() =>
        Assert.Equal(new[] { 9, 16 }, await Executor.Map(Square, [3, 4]).GetResultsAsync().WaitAsync(Patience));

    [Fact]
    public async Task Map_InstanceMethodGroup_ShipsItsTarget()
    {
        Assert.Equal(new[] { 14, 21 }, await Executor.Map(new Multiplier(7).Apply, [2, 3]).GetResultsAsync().WaitAsync(Patience));
        Assert.Equal(new[] { 1.5, 3.0 }, await Executor.Map(new Scaler(1.5).Scale, [1.0, 2.0]).GetResultsAsync().WaitAsync(Patience));
    }

    [Fact]
    public async Task Map_GenericMethods_RunWithTheirTypeArguments()
    {
        Assert.Equal(new[] { "a", "b" }, await Executor.Map(Identity<string>, ["a", "b"]).GetResultsAsync().WaitAsync(Patience));
        Box<double>[] boxes = await Executor.Map(Wrap<double>, [1.5]).GetResultsAsync().WaitAsync(Patience);
        Assert.Equal(new Box<double>(1.5), boxes.Single());
        Assert.Equal(new[] { new Box<string>("x") }, await MapGeneric("x"));
    }

    private Task<Box<T>[]> MapGeneric<T>(T value) => Executor.Map((int _) => new Box<T>(value), [0]).GetResultsAsync().WaitAsync(Patience);

    [Fact]
    public async Task Map_AsyncLambda_AwaitsOnTheWorker()
    {
        int[] results = await Executor.Map(async (int x) =>
        {
            await Task.Delay(5);
            return x * 2;
        }, [1, 2, 3]).GetResultsAsync().WaitAsync(Patience);
        Assert.Equal([2, 4, 6], results);
    }

    [Fact]
    public async Task Map_LocalFunctions_Run()
    {
        static int Twice(int x) => 2 * x;
        int bias = 100;
        int Biased(int x) => x + bias;
        Assert.Equal(new[] { 2, 4 }, await Executor.Map(Twice, [1, 2]).GetResultsAsync().WaitAsync(Patience));
        Assert.Equal(new[] { 101, 102 }, await Executor.Map(Biased, [1, 2]).GetResultsAsync().WaitAsync(Patience));
    }

    [Fact]
    public async Task Map_FunctionInAnotherProject_IsShippedWithItsAssembly() =>
        Assert.Equal(new[] { 3, 6 }, await Executor.Map(Library.Triple, [1, 2]).GetResultsAsync().WaitAsync(Patience));

    [Fact]
    public async Task Map_FunctionUsingNuGetPackage_IsShippedWithThePackage()
    {
        string[] json = await Executor.Map(Library.ToJson, [new Reading("t1", [1.5, 2])]).GetResultsAsync().WaitAsync(Patience);
        Assert.Equal("""{"Sensor":"t1","Values":[1.5,2.0]}""", json.Single());
    }

    [Fact]
    public async Task Map_NestedDelegateInClosure_Travels()
    {
        Func<int, int> inner = x => x + 1;
        Assert.Equal(new[] { 3, 4 }, await Executor.Map((int x) => inner(x) * 1 + inner(x) - x, [1, 2]).GetResultsAsync().WaitAsync(Patience));
    }

    [Fact]
    public async Task Map_RecordsAndCollections_RoundTrip()
    {
        var orders = new[]
        {
            new Order("ada", [new("bolt", 3, 0.25m), new("nut", 10, 0.05m)], new() { ["rush"] = "yes" }),
            new Order("alan", [], []),
        };
        OrderSummary[] summaries = await Executor.Map((Order o) => new OrderSummary(
            o.Customer, o.Lines.Sum(l => l.Quantity), o.Lines.Sum(l => l.Quantity * l.Price), [.. o.Lines.Select(l => l.Item.ToUpperInvariant())]), orders)
            .GetResultsAsync().WaitAsync(Patience);
        Assert.Equal("ada", summaries[0].Customer);
        Assert.Equal(13, summaries[0].Items);
        Assert.Equal(1.25m, summaries[0].Total);
        Assert.Equal(["BOLT", "NUT"], summaries[0].Skus);
        Assert.Empty(summaries[1].Skus);
    }

    [Fact]
    public async Task Map_CapturedStream_ThrowsFromMapWithMemberPathBeforeUploading()
    {
        int before = await CountStoredAsync();
        using var stream = new MemoryStream();
        var error = Assert.Throws<WrenSerializationException>(() => Executor.Map((int x) => x + (int)stream.Length, [1]));
        Assert.Equal("closure.stream", error.MemberPath);
        Assert.Contains("is a stream", error.Message);
        Assert.Equal(before, await CountStoredAsync());
    }

    [Fact]
    public async Task Map_CapturedThisHoldingStream_NamesThePathThroughThis()
    {
        int before = await CountStoredAsync();
        var error = Assert.Throws<WrenSerializationException>(() => new Repository(new MemoryStream()).AddOffset(Executor, [1]));
        Assert.Equal("closure.Connection", error.MemberPath);
        Assert.Equal(before, await CountStoredAsync());
    }

    [Fact]
    public void Map_CapturedHttpClientOrTokenSource_Throws()
    {
        using var http = new HttpClient();
        using var source = new CancellationTokenSource();
        Assert.Equal("closure.http", Assert.Throws<WrenSerializationException>(() => Executor.Map((int x) => http.Timeout.Seconds + x, [1])).MemberPath);
        Assert.Equal("closure.source", Assert.Throws<WrenSerializationException>(() => Executor.Map((int x) => source.IsCancellationRequested ? 0 : x, [1])).MemberPath);
    }

    [Fact]
    public void Map_InputThatCannotTravel_ThrowsWithItsIndex()
    {
        var error = Assert.Throws<WrenSerializationException>(() => Executor.Map((object o) => o.ToString(), ["fine", new MemoryStream()]));
        Assert.Equal("inputs[1]", error.MemberPath);
    }

    [Fact]
    public async Task Map_CodeIsStoredOnceByHash()
    {
        await Executor.Map(Library.Triple, [1]).GetResultsAsync().WaitAsync(Patience);
        Dictionary<string, DateTimeOffset> first = await CodeFilesAsync();
        Assert.Contains(first.Keys, key => key.EndsWith(".dll"));
        await Executor.Map(Library.Triple, [2]).GetResultsAsync().WaitAsync(Patience);
        Assert.Equal(first, await CodeFilesAsync());
    }

    [Fact]
    public async Task MapReduce_ReducesAllResultsRemotely()
    {
        Future<long> total = Executor.MapReduce((int x) => (long)x * x, Enumerable.Range(1, 100), (IReadOnlyList<long> parts) => parts.Sum());
        Assert.Equal(Enumerable.Range(1, 100).Sum(x => (long)x * x), await total.GetResultAsync().WaitAsync(Patience));
        Assert.NotNull(total.Stats.WorkerId);
    }

    [Fact]
    public async Task AsCompleted_YieldsEveryFutureOnce()
    {
        FutureList<int> futures = Executor.Map((int x) => x, Enumerable.Range(0, 20), new MapOptions { ChunkSize = 3 });
        var seen = new List<int>();
        using var patience = new CancellationTokenSource(Patience);
        await foreach (Future<int> future in futures.AsCompleted().WithCancellation(patience.Token))
            seen.Add(await future);
        Assert.Equal(Enumerable.Range(0, 20), seen.Order());
    }

    [Fact]
    public async Task Map_LargeInputsAndOutputs_GoThroughStorage()
    {
        double[][] inputs = [.. Enumerable.Range(0, 6).Select(i => Enumerable.Range(0, 100_000).Select(j => (double)(i + j)).ToArray())];
        FutureList<double[]> futures = Executor.Map((double[] values) => values.Select(v => v * 2).ToArray(), inputs);
        double[][] outputs = await futures.GetResultsAsync().WaitAsync(Patience);
        for (int i = 0; i < inputs.Length; i++) Assert.Equal(inputs[i].Select(v => v * 2), outputs[i]);
        var keys = new List<string>();
        await foreach (StoredObject stored in Storage.ListAsync($"{Executor.ComputeBackend.Location.Prefix}/jobs/{Executor.Id}/{futures.JobId.Split('-')[1]}/")) keys.Add(stored.Key);
        Assert.Contains(keys, key => key.EndsWith("/data"));
        Assert.Contains(keys, key => key.EndsWith("/output"));
    }

    [Fact]
    public async Task Map_Progress_ReportsEveryCallDone()
    {
        var reports = new List<MapProgress>();
        var progress = new SynchronousProgress<MapProgress>(reports.Add);
        await Executor.Map((int x) => x, Enumerable.Range(0, 50), new MapOptions { ChunkSize = 10, Progress = progress }).GetResultsAsync().WaitAsync(Patience);
        MapProgress last = reports[^1];
        Assert.Equal(new MapProgress(50, 0, 50, 0, 50), last);
    }

    [Fact]
    public void MapOptions_Invalid_NameEveryProblem()
    {
        var error = Assert.Throws<ArgumentException>(() => Executor.Map((int x) => x, [1], new MapOptions { Timeout = TimeSpan.Zero, ChunkSize = 0, Retries = -1 }));
        Assert.Contains("Timeout is 00:00:00", error.Message);
        Assert.Contains("ChunkSize is 0", error.Message);
        Assert.Contains("Retries is -1", error.Message);
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value)
        {
            lock (this) report(value);
        }
    }

    /// <summary>Objects in storage, leaving out job stats and records, which earlier tests' jobs may still be writing.</summary>
    /// <summary>What is stored besides the jobs' bookkeeping (records, stats and pages, which earlier jobs write in the background).</summary>
    private async Task<int> CountStoredAsync()
    {
        int count = 0;
        await foreach (StoredObject stored in Storage.ListAsync(""))
            if (!stored.Key.EndsWith("/stats", StringComparison.Ordinal) && !stored.Key.EndsWith("/job", StringComparison.Ordinal)
                && !stored.Key[(stored.Key.LastIndexOf('/') + 1)..].StartsWith(StorageKeys.JobPagePrefix, StringComparison.Ordinal)) count++;
        return count;
    }

    private async Task<Dictionary<string, DateTimeOffset>> CodeFilesAsync()
    {
        var files = new Dictionary<string, DateTimeOffset>();
        await foreach (StoredObject stored in Storage.ListAsync($"{Executor.ComputeBackend.Location.Prefix}/code/")) files[stored.Key] = stored.LastModified;
        return files;
    }

    // Data in storage: MapObjects over chunks, and functions that take their CallContext.

    private static string Words(int seed, int lines)
    {
        var random = new Random(seed);
        return string.Concat(Enumerable.Range(0, lines).Select(l => string.Join(' ', Enumerable.Range(0, random.Next(0, 12)).Select(w => $"w{random.Next(100)}")) + "\n"));
    }

    [Fact]
    public async Task MapObjects_InChunksSmallerThanTheObjects_CountsEveryWordOnce()
    {
        string prefix = $"contract-data/{Guid.NewGuid():N}/";
        string[] texts = [Words(1, 120), Words(2, 7), "", Words(3, 300)];
        for (int i = 0; i < texts.Length; i++) await Executor.Storage.PutAsync($"{prefix}book{i}.txt", System.Text.Encoding.UTF8.GetBytes(texts[i]));
        FutureList<(string Location, long Offset, int Words)> counts = Executor.MapObjects(prefix, (ObjectChunk chunk) =>
        {
            using TextReader reader = chunk.OpenText();
            int words = 0;
            while (reader.ReadLine() is { } line) words += line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            return (chunk.Location, chunk.Offset, words);
        }, new ObjectChunking { ChunkBytes = 200 });
        (string Location, long Offset, int Words)[] results = await counts.GetResultsAsync().WaitAsync(Patience);
        Assert.Equal(texts.Sum(t => t.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Length), results.Sum(r => r.Words));
        // The empty object is skipped; the rest come in the order of (key, offset).
        Assert.DoesNotContain(results, r => r.Location.EndsWith("book2.txt", StringComparison.Ordinal));
        Assert.Equal(results.OrderBy(r => r.Location, StringComparer.Ordinal).ThenBy(r => r.Offset), results);
        Assert.StartsWith(prefix, results[0].Location);
        Assert.Empty(Executor.MapObjects($"{prefix}nothing/", (ObjectChunk chunk) => chunk.Length));
    }

    [Fact]
    public async Task MapObjects_AsyncWithContext_ReadsTheChunkBytes()
    {
        string key = $"contract-data/{Guid.NewGuid():N}/one.bin";
        byte[] data = [.. Enumerable.Range(0, 1000).Select(i => (byte)(i % 251))];
        await Executor.Storage.PutAsync(key, data);
        long[] sums = await Executor.MapObjects(key, async (ObjectChunk chunk, CallContext context) =>
        {
            byte[] bytes = await chunk.ReadAllBytesAsync(context.CancellationToken);
            return bytes.Sum(b => (long)b) * 1000 + context.InputIndex;
        }, new ObjectChunking { ChunksPerObject = 4, AlignToLines = false }).GetResultsAsync().WaitAsync(Patience);
        Assert.Equal(4, sums.Length);
        Assert.Equal(data.Sum(b => (long)b), sums.Sum(s => s / 1000));
        Assert.Equal([0L, 1, 2, 3], sums.Select(s => s % 1000));
    }

    [Fact]
    public async Task Map_WithCallContext_WritesToStorageAndKnowsItsCall()
    {
        string prefix = $"contract-data/{Guid.NewGuid():N}";
        FutureList<string> futures = Executor.Map((int x, CallContext context) =>
        {
            context.Storage.PutAsync($"{prefix}/out-{context.InputIndex}", System.Text.Encoding.UTF8.GetBytes($"{x * 2}")).GetAwaiter().GetResult();
            return $"{context.InputIndex}:{context.Attempt}:{context.JobId}:{context.RemainingTime > TimeSpan.Zero}:{context.CancellationToken.IsCancellationRequested}";
        }, [5, 6, 7]);
        string[] results = await futures.GetResultsAsync().WaitAsync(Patience);
        Assert.Equal([$"0:1:{futures.JobId}:True:False", $"1:1:{futures.JobId}:True:False", $"2:1:{futures.JobId}:True:False"], results);
        for (int i = 0; i < 3; i++)
            Assert.Equal($"{(5 + i) * 2}", System.Text.Encoding.UTF8.GetString(await Executor.Storage.GetAsync($"{prefix}/out-{i}")));
    }
}
