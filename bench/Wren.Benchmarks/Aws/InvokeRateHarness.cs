using System.Diagnostics;
using System.Net.Http.Headers;
using Wren.Aws;
using Wren.Aws.Lambda;
using Wren.Benchmarks.Local;
using Wren.Protocol;
using Wren.Serialization;
using Wren.Shipping;
using static Wren.Benchmarks.Aws.HarnessTools;

namespace Wren.Benchmarks.Aws;

/// <summary>
/// (1) How fast one client issues Lambda invocations: <see cref="LambdaClient.InvokeAsync"/> (SigV4 signing, the retry
/// loop, its <c>HttpClient</c>) against <see cref="InstantInvokeEndpoint"/>, which answers at once, with a fixed number
/// of invocations in flight. The baseline sends the same requests (same URL, body, headers) with a plain
/// <c>HttpClient</c> on the same handler settings, unsigned, so what signing and Wren's client add is visible.
/// </summary>
internal static class InvokeRateHarness
{
    public const string Usage = """
        --aws-invoke [--invocations N] [--concurrency 1,64,256] [--rounds R]
            Issues N Lambda invocations (default 10,000) through Wren's LambdaClient, and the same requests through a plain
            HttpClient, against a loopback endpoint that answers at once; at each concurrency (invocations in flight),
            R measured rounds (default 3) after a warm-up. The first line is a cold run: a fresh LambdaClient in this
            fresh process, 64 in flight.
        """;

    private const string FunctionName = "wren-runtime";
    private const string Region = "us-east-1";

    private sealed record Run(double Seconds, double[] LatenciesMs, double CpuSeconds);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        int invocations = IntArgument(args, "--invocations") ?? 10_000;
        int[] concurrencies = IntListArgument(args, "--concurrency") ?? [1, 64, 256];
        int rounds = IntArgument(args, "--rounds") ?? 3;
        byte[] payload = Payload();

        Console.WriteLine($"Invocation rate: {Thousands(invocations)} invocations per run, payload {Thousands(payload.Length)} bytes (a real Wren request envelope: a chunk of 4 calls of Trivial.Increment).");
        Console.WriteLine($"Machine: {Machine()}.");
        await using var endpoint = new InstantInvokeEndpoint();

        // Cold: the first invocations of this process, through a new client (JIT, connections, signing key and all).
        using LambdaClient coldClient = NewLambdaClient(endpoint);
        Run cold = await RunAsync(invocations, 64, WrenSend(coldClient, payload)).ConfigureAwait(false);
        CheckRetries(coldClient, invocations);

        (double PerRequestUs, double BuildOnlyUs, double KeyUs, double PayloadHashUs) signing = MeasureSigning(endpoint, payload);

        var rows = new List<(string Client, int Concurrency, List<Run> Runs)>();
        foreach (int concurrency in concurrencies)
        {
            using LambdaClient lambda = NewLambdaClient(endpoint);
            using HttpClient plain = NewPlainClient();
            Func<Task> wren = WrenSend(lambda, payload);
            Func<Task> bare = PlainSend(plain, endpoint, payload);
            // Warm-up: opens the connections this concurrency needs and jits both paths; not counted.
            await RunAsync(Math.Min(invocations, Math.Max(1_000, concurrency * 10)), concurrency, bare).ConfigureAwait(false);
            await RunAsync(Math.Min(invocations, Math.Max(1_000, concurrency * 10)), concurrency, wren).ConfigureAwait(false);
            int wrenSentBefore = lambda.Http.RequestsSent;
            var plainRuns = new List<Run>();
            var wrenRuns = new List<Run>();
            for (int round = 0; round < rounds; round++)
            {
                // Alternate the order so that neither client always runs right after the other.
                if (round % 2 == 0)
                {
                    plainRuns.Add(await RunAsync(invocations, concurrency, bare).ConfigureAwait(false));
                    wrenRuns.Add(await RunAsync(invocations, concurrency, wren).ConfigureAwait(false));
                }
                else
                {
                    wrenRuns.Add(await RunAsync(invocations, concurrency, wren).ConfigureAwait(false));
                    plainRuns.Add(await RunAsync(invocations, concurrency, bare).ConfigureAwait(false));
                }
                if (!Console.IsOutputRedirected) Console.Write($"\r{concurrency} in flight: round {round + 1}/{rounds}   ");
            }
            if (!Console.IsOutputRedirected) Console.Write("\r                                        \r");
            int retries = lambda.Http.RequestsSent - wrenSentBefore - rounds * invocations;
            if (retries != 0) throw new InvalidOperationException($"Wren's client sent {retries} retries against an endpoint that never fails.");
            rows.Add(("plain HttpClient, unsigned (baseline)", concurrency, plainRuns));
            rows.Add(("Wren LambdaClient.InvokeAsync", concurrency, wrenRuns));
        }

        Console.WriteLine($"Load average after: {LoadAverage()}. Endpoint: {Thousands(endpoint.Requests)} invocations answered, {Thousands(endpoint.Signed)} of them signed, {endpoint.Other} other requests, {endpoint.Connections} connections.");
        Console.WriteLine();
        Console.WriteLine($"{Thousands(invocations)} invocations per run; seconds are the whole run (first request out to last answer in); latency is per invocation, over all measured rounds.");
        Console.WriteLine();
        Console.WriteLine("| client | in flight | runs | seconds, median | min | max | invocations/s (median run) | latency p50 | p99 | max | CPU per invocation |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine(Row("Wren LambdaClient.InvokeAsync, cold (fresh client, first run of the process)", 64, [cold], invocations));
        foreach ((string client, int concurrency, List<Run> runs) in rows) Console.WriteLine(Row(client, concurrency, runs, invocations));
        Console.WriteLine();
        Console.WriteLine("CPU per invocation: this process's CPU time (user and system, all threads) over the measured runs, divided by the invocations; the endpoint runs in this process too, so both rows include its share, and the difference between them is what Wren's client adds.");
        Console.WriteLine($"SigV4 alone, one thread, CPU time per request: building an Invoke request {Fixed(signing.BuildOnlyUs, "0.0")} µs; building and signing it {Fixed(signing.PerRequestUs, "0.0")} µs (so signing is about {Fixed(signing.PerRequestUs - signing.BuildOnlyUs, "0.0")} µs of CPU per invocation); of that, deriving the signing key (four HMACs, done for every request) {Fixed(signing.KeyUs, "0.0")} µs and hashing the {Thousands(payload.Length)}-byte payload {Fixed(signing.PayloadHashUs, "0.0")} µs.");
        return 0;
    }

    private static string Row(string client, int concurrency, List<Run> runs, int invocations)
    {
        double[] seconds = [.. runs.Select(r => r.Seconds)];
        double median = Percentile(seconds, 50);
        double[] latencies = [.. runs.SelectMany(r => r.LatenciesMs)];
        double cpuUs = runs.Sum(r => r.CpuSeconds) / (runs.Count * (double)invocations) * 1e6;
        return $"| {client} | {concurrency} | {runs.Count} | {Fixed(median, "0.000")} s | {Fixed(seconds.Min(), "0.000")} s | {Fixed(seconds.Max(), "0.000")} s | {Thousands(invocations / median)} | {Fixed(Percentile(latencies, 50), "0.00")} ms | {Fixed(Percentile(latencies, 99), "0.00")} ms | {Fixed(Percentile(latencies, 100), "0.00")} ms | {Fixed(cpuUs, "0")} µs |";
    }

    /// <summary>Sends <paramref name="count"/> requests, <paramref name="concurrency"/> at a time, and times the whole and each.</summary>
    private static async Task<Run> RunAsync(int count, int concurrency, Func<Task> send)
    {
        var latencies = new double[count];
        int next = -1;
        using Process self = Process.GetCurrentProcess();
        TimeSpan cpuBefore = self.TotalProcessorTime;
        long started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, count)).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                long sent = Stopwatch.GetTimestamp();
                await send().ConfigureAwait(false);
                latencies[index] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
            }
        }))).ConfigureAwait(false);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        self.Refresh();
        return new Run(seconds, latencies, (self.TotalProcessorTime - cpuBefore).TotalSeconds);
    }

    private static Func<Task> WrenSend(LambdaClient lambda, byte[] payload) => async () =>
    {
        // As LambdaBackend invokes: synchronous, with the log tail.
        InvokeResult result = await lambda.InvokeAsync(FunctionName, payload, InvocationType.RequestResponse, tailLog: true).ConfigureAwait(false);
        if (result.StatusCode != 200 || result.FunctionError is not null || result.Payload.Length == 0)
            throw new InvalidOperationException($"Unexpected answer: {result.StatusCode} {result.FunctionError}");
    };

    private static Func<Task> PlainSend(HttpClient http, InstantInvokeEndpoint endpoint, byte[] payload)
    {
        var uri = new Uri(new Uri(endpoint.Endpoint), $"2015-03-31/functions/{Uri.EscapeDataString(FunctionName)}/invocations");
        var contentType = MediaTypeHeaderValue.Parse("application/json");
        return async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(payload) };
            request.Content.Headers.ContentType = contentType;
            request.Headers.TryAddWithoutValidation("X-Amz-Invocation-Type", "RequestResponse");
            request.Headers.TryAddWithoutValidation("X-Amz-Log-Type", "Tail");
            using HttpResponseMessage response = await http.SendAsync(request).ConfigureAwait(false);
            byte[] body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            if ((int)response.StatusCode != 200 || body.Length == 0) throw new InvalidOperationException($"Unexpected answer: {response.StatusCode}");
        };
    }

    private static Dictionary<string, string> ClientVariables(InstantInvokeEndpoint endpoint) => new()
    {
        ["AWS_ENDPOINT_URL_LAMBDA"] = endpoint.Endpoint,
        ["AWS_ACCESS_KEY_ID"] = "AKIDBENCHMARK0000000",
        ["AWS_SECRET_ACCESS_KEY"] = "benchmark-secret-key-not-used-anywhere",
        ["AWS_REGION"] = Region,
    };

    private static LambdaClient NewLambdaClient(InstantInvokeEndpoint endpoint)
    {
        Dictionary<string, string> variables = ClientVariables(endpoint);
        return new LambdaClient(AwsContext.FromEnvironment(Region, environment: name => variables.GetValueOrDefault(name)));
    }

    /// <summary>The handler settings AwsHttpClient uses when it makes its own.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The HttpClient owns the handler and disposes it.")]
    private static HttpClient NewPlainClient() =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromMinutes(16) };

    private static void CheckRetries(LambdaClient lambda, int invocations)
    {
        if (lambda.Http.RequestsSent != invocations)
            throw new InvalidOperationException($"Wren's client sent {lambda.Http.RequestsSent} requests for {invocations} invocations.");
    }

    /// <summary>The envelope LambdaBackend would send for the first chunk of a 1,000-call Map of Trivial.Increment (4 calls).</summary>
    private static byte[] Payload()
    {
        CapturedFunction function = FunctionCapture.Capture(Trivial.Increment, typeof(int), typeof(int));
        int[] callIds = [0, 1, 2, 3];
        byte[][] inputs = [.. callIds.Select(i => WrenSerializer.Serialize(i))];
        var code = CodeManifest.Of(function.Code.Select(c => new CodeFile(c.Name, c.Hash)));
        var request = new InvocationRequest
        {
            ExecutorId = "0123456789ab",
            JobId = "M0001",
            Storage = new StorageLocation { Kind = StorageLocation.S3, Bucket = "wren-benchmark", Region = Region, Prefix = "wren" },
            Function = function.Bytes,
            CodeKey = code.Key,
            CodeList = code.List,
            CallIds = callIds,
            Data = [.. inputs.SelectMany(b => b)],
            InputLengths = [.. inputs.Select(b => b.Length)],
            TimeoutSeconds = MapOptions.DefaultTimeout.TotalSeconds,
        };
        return WrenProtocol.Wrap(request);
    }

    /// <summary>
    /// Single-threaded cost of SigV4 on one Invoke request, with and without the signing step, and of two of its parts,
    /// in this process's CPU time per request (the endpoint is idle meanwhile), which other load on the machine
    /// disturbs less than elapsed time does.
    /// </summary>
    private static (double PerRequestUs, double BuildOnlyUs, double KeyUs, double PayloadHashUs) MeasureSigning(InstantInvokeEndpoint endpoint, byte[] payload)
    {
        const int Count = 20_000;
        var uri = new Uri(new Uri(endpoint.Endpoint), $"2015-03-31/functions/{FunctionName}/invocations");
        var credentials = new AwsCredentials("AKIDBENCHMARK0000000", "benchmark-secret-key-not-used-anywhere", null);
        string date = DateTimeOffset.UtcNow.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        HttpRequestMessage Build()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(payload) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
            request.Headers.TryAddWithoutValidation("X-Amz-Invocation-Type", "RequestResponse");
            request.Headers.TryAddWithoutValidation("X-Amz-Log-Type", "Tail");
            return request;
        }
        void BuildOnly()
        {
            using HttpRequestMessage request = Build();
        }
        void BuildAndSign()
        {
            using HttpRequestMessage request = Build();
            SigV4.Sign(request, payload, credentials, Region, "lambda", DateTimeOffset.UtcNow);
        }
        int sink = 0;
        void Key() => sink += SigV4Hashing.SigningKey(credentials.SecretAccessKey, date, Region, "lambda")[0];
        void PayloadHash() => sink += SigV4Hashing.Sha256Hex(payload).Length;
        foreach (Action warm in new Action[] { BuildOnly, BuildAndSign, Key, PayloadHash })
            for (int i = 0; i < 2_000; i++) warm();
        double CpuMicroseconds(Action action)
        {
            using Process self = Process.GetCurrentProcess();
            TimeSpan before = self.TotalProcessorTime;
            for (int i = 0; i < Count; i++) action();
            self.Refresh();
            return (self.TotalProcessorTime - before).TotalMicroseconds / Count;
        }
        (double, double, double, double) result = (CpuMicroseconds(BuildAndSign), CpuMicroseconds(BuildOnly), CpuMicroseconds(Key), CpuMicroseconds(PayloadHash));
        GC.KeepAlive(sink);
        return result;
    }
}
