using System.Diagnostics;
using Wren.Aws.Lambda;
using Wren.Backends.Lambda;
using Wren.Benchmarks.Local;
using Wren.Shipping;
using Wren.Storage;
using Wren.TestSupport;
using static Wren.Benchmarks.Aws.HarnessTools;

namespace Wren.Benchmarks.Aws;

/// <summary>
/// (2) How many S3 requests a Map makes on the Lambda path. S3 is moto_server (started here); Lambda is
/// <see cref="Wren.TestSupport.Lambda.FakeLambdaService"/>, which runs every invocation in the real <c>bootstrap</c> of the deployment package, whose
/// worker reads and writes the same moto. The executor is the real one over a real <see cref="LambdaBackend"/>, whose
/// <see cref="S3Storage"/> sends through <see cref="S3RequestCounter"/>: that counts the client's requests. moto's own
/// request log counts every request to the bucket, the workers' included; the workers' share is the difference.
/// <para>
/// Per invocation mode (RequestResponse, then Event, each with a fresh fake Lambda, so fresh sandboxes, and a key
/// prefix of its own, so that its first Map uploads the code): Map #1 of N calls (it uploads the code), Map #2 on the
/// same executor, and Map #3 on a second executor over a new backend, as a new client process would make it, with
/// the code already in S3 and the sandboxes warm.
/// </para>
/// </summary>
internal static class S3RequestHarness
{
    public const string Usage = $"""
        --aws-s3 [--calls N] [--sandboxes S] [--modes RequestResponse,Event]
            Counts the S3 requests of Maps of N small calls (default 1,000) through the Lambda backend, S3 on moto_server,
            invocations run by the real bootstrap in at most S sandboxes at once (default 4). Needs the deployment
            package: built once (about 45 s) and cached in the temp folder. {RuntimeZip.Usage}
        """;

    private const string FunctionName = "wren-runtime-bench";
    // The function as `wren create-config` and `wren deploy-lambda` make it by default; the config file holds the same values.
    private const int MemoryMb = MapOptions.DefaultMemoryMb;
    private const int TimeoutSeconds = 300;

    private sealed record MapCount(string Mode, string Map, int Calls, double Seconds, int Invocations, int Sandboxes,
        IReadOnlyList<(string Method, string Path)> Client, IReadOnlyList<(string Method, string Path)> All);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        int calls = IntArgument(args, "--calls") ?? 1_000;
        int maxSandboxes = IntArgument(args, "--sandboxes") ?? 4;
        InvocationType[] modes = StringArgument(args, "--modes") is { } text
            ? [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Enum.Parse<InvocationType>)]
            : [InvocationType.RequestResponse, InvocationType.Event];

        Console.WriteLine($"Machine: {Machine()}.");
        var package = await RuntimeZip.GetAsync(args).ConfigureAwait(false);
        CapturedFunction captured = FunctionCapture.Capture(Trivial.Increment, typeof(int), typeof(int));
        Console.WriteLine($"The function's code: {captured.Code.Count} files, {Thousands(captured.Code.Sum(c => c.Size))} bytes (the benchmark assembly and what it references, outside the framework and Wren's runtime): {string.Join(", ", captured.Code.Select(c => c.Name))}.");

        var results = new List<MapCount>();
        LambdaRig rig = await LambdaRig.StartAsync(package).ConfigureAwait(false);
        try
        {
            Console.WriteLine($"{rig}; at most {maxSandboxes} sandboxes at once; {Thousands(calls)} calls of Trivial.Increment per Map.");
            foreach (InvocationType mode in modes)
            {
                LambdaRig.Function lambda = rig.StartLambda(FunctionName, MemoryMb, TimeoutSeconds, maxSandboxes);
                try
                {
                    string prefix = $"wren-{mode.ToString().ToLowerInvariant()}";
                    await using (Client first = Client.Create(rig, lambda, mode, prefix))
                    {
                        results.Add(await MeasureAsync(mode, "#1, first (uploads the code)", first, rig, lambda, calls).ConfigureAwait(false));
                        results.Add(await MeasureAsync(mode, "#2, same executor", first, rig, lambda, calls).ConfigureAwait(false));
                    }
                    await using (Client second = Client.Create(rig, lambda, mode, prefix))
                        results.Add(await MeasureAsync(mode, "#3, new executor (code in S3, sandboxes warm)", second, rig, lambda, calls).ConfigureAwait(false));
                    if (lambda.Service.Failures > 0) throw new InvalidOperationException($"{lambda.Service.Failures} invocations failed in the fake Lambda.");
                }
                finally
                {
                    await rig.StopAsync(lambda).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await rig.DisposeAsync().ConfigureAwait(false);
        }

        Print(results, calls, rig.Bucket);
        return rig.ReportExited();
    }

    /// <summary>An executor on the Lambda backend whose S3 requests are counted.</summary>
    private sealed class Client : IAsyncDisposable
    {
        private Client(WrenExecutor executor, S3RequestCounter counter)
        {
            Executor = executor;
            Counter = counter;
        }

        public WrenExecutor Executor { get; }

        public S3RequestCounter Counter { get; }

        /// <summary>The client of a configuration file that holds the function's memory and timeout.</summary>
        public static Client Create(LambdaRig rig, LambdaRig.Function lambda, InvocationType mode, string prefix)
        {
            var counter = new S3RequestCounter();
            WrenExecutor executor = rig.CreateExecutor(lambda, mode, prefix, TimeSpan.FromSeconds(lambda.Setup.TimeoutSeconds), counter);
            return new Client(executor, counter);
        }

        public async ValueTask DisposeAsync()
        {
            await Executor.DisposeAsync().ConfigureAwait(false);
            Counter.Dispose();
        }
    }

    private static async Task<MapCount> MeasureAsync(InvocationType mode, string name, Client client, LambdaRig rig, LambdaRig.Function lambda, int calls)
    {
        MotoServer moto = rig.Moto;
        string bucket = rig.Bucket;
        await moto.SettleAsync().ConfigureAwait(false);
        int clientFrom = client.Counter.Count;
        int motoFrom = moto.Logged;
        int invocationsFrom = lambda.Service.Invocations;
        int[] inputs = [.. Enumerable.Range(0, calls)];
        long started = Stopwatch.GetTimestamp();
        int[] outputs = await client.Executor.Map(Trivial.Increment, inputs).GetResultsAsync().ConfigureAwait(false);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        for (int i = 0; i < calls; i++)
            if (outputs[i] != i + 1) throw new InvalidOperationException($"Call {i} returned {outputs[i]}, not {i + 1}.");
        await moto.SettleAsync().ConfigureAwait(false);
        var all = moto.Since(motoFrom).Where(r => r.Path.TrimStart('/').StartsWith(bucket, StringComparison.Ordinal))
            .Select(r => (r.Method, r.Path)).ToList();
        var result = new MapCount(mode.ToString(), name, calls, seconds, lambda.Service.Invocations - invocationsFrom, lambda.Service.Sandboxes.Count,
            client.Counter.Since(clientFrom), all);
        Console.WriteLine($"  {mode} Map {name}: {seconds:0.00} s, {result.Invocations} invocations, S3 requests: client {result.Client.Count}, all {result.All.Count}.");
        return result;
    }

    private static void Print(List<MapCount> results, int calls, string bucket)
    {
        Console.WriteLine();
        Console.WriteLine($"S3 requests per Map of {Thousands(calls)} calls (client: counted in its S3Storage's handler; all: moto's request log for the bucket; workers: the difference).");
        Console.WriteLine("\"Beyond code\" leaves out the requests for code files (the client's HEAD and PUT of each, and each new sandbox's GET).");
        Console.WriteLine();
        Console.WriteLine("| mode | Map | seconds | invocations | sandboxes so far | client | workers | all | code files | beyond code | beyond code per call |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (MapCount r in results)
        {
            int code = r.All.Count(x => S3Kind.Of(x.Path, bucket) == S3Kind.Code);
            int beyond = r.All.Count - code;
            Console.WriteLine($"| {r.Mode} | {r.Map} | {r.Seconds:0.00} | {r.Invocations} | {r.Sandboxes} | {r.Client.Count} | {r.All.Count - r.Client.Count} | {r.All.Count} | {code} | **{beyond}** | {(double)beyond / r.Calls:0.###} |");
        }
        Console.WriteLine();
        Console.WriteLine("By method and key (client | all):");
        foreach (MapCount r in results)
            Console.WriteLine($"- {r.Mode} {r.Map}: client: {S3Kind.Describe(r.Client, bucket)} | all: {S3Kind.Describe(r.All, bucket)}");
    }
}
