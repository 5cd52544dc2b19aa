using BenchmarkDotNet.Running;
using Wren.Benchmarks.Aws;
using Wren.Benchmarks.Local;
using Wren.Benchmarks.Serializer;

namespace Wren.Benchmarks;

/// <summary>
/// BenchmarkDotNet's switcher: pass its usual arguments, for example
/// <c>dotnet run -c Release --project bench/Wren.Benchmarks -- --filter '*Serializer*'</c>, with <c>--job short</c>
/// for a quick run. <c>--check</c> instead runs the serializer round-trip checks once and exits (no benchmarking).
/// <c>--filter '*Local*'</c> runs the local backend's suites (they set their own jobs: do not add <c>--job</c>), and
/// <c>--worker-start [--starts N] [--env-variants]</c> runs the local worker start-time harness instead of
/// BenchmarkDotNet (see <see cref="WorkerStartHarness"/>). The AWS path has four harnesses of its own:
/// <c>--aws-invoke</c> (<see cref="InvokeRateHarness"/>), <c>--aws-s3</c> (<see cref="S3RequestHarness"/>),
/// <c>--aws-bootstrap</c> (<see cref="BootstrapStartHarness"/>) and <c>--lambda-fit</c> (<see cref="LambdaFitHarness"/>,
/// worker parallelism and call timeouts on a Lambda function); <c>--data-read</c> (<see cref="Data.DataReadHarness"/>)
/// measures reading data in storage, <c>--local-vs-pool</c> (<see cref="UserViewHarness"/>) the local backend as a user first
/// meets it beside Python's ProcessPoolExecutor, <c>--local-big</c> (<see cref="BigMapHarness"/>) Maps of 10 million inputs
/// and of more than 2 GB, <c>--speculation</c> (<see cref="SpeculationHarness"/>) what speculation costs and
/// saves; each takes <c>--help</c>.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Contains("--check")) return Check();
        if (args.Contains("--worker-start")) return WorkerStartHarness.RunAsync(args).GetAwaiter().GetResult();
        if (args.Contains("--aws-invoke")) return InvokeRateHarness.RunAsync(args).GetAwaiter().GetResult();
        if (args.Contains("--aws-s3")) return S3RequestHarness.RunAsync(args).GetAwaiter().GetResult();
        if (args.Contains("--aws-bootstrap")) return BootstrapStartHarness.RunAsync(args).GetAwaiter().GetResult();
        if (args.Contains("--lambda-fit")) return LambdaFitHarness.RunAsync(args).GetAwaiter().GetResult();
        if (args.Contains("--speculation")) return SpeculationHarness.RunAsync(args).GetAwaiter().GetResult();
        if (args.Contains("--local-big")) return BigMapHarness.RunAsync(args).GetAwaiter().GetResult();
        if (args.Contains("--local-vs-pool")) return UserViewHarness.RunAsync(args).GetAwaiter().GetResult();
        if (args.Contains("--data-read")) return Data.DataReadHarness.RunAsync(args).GetAwaiter().GetResult();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    private static int Check()
    {
        var results = RoundTripCheck.Run(Payloads.Create());
        foreach (var (name, passed, detail) in results)
            Console.WriteLine($"{(passed ? "ok  " : "FAIL")} {name}{(detail.Length > 0 ? ": " + detail : "")}");
        int failed = results.Count(r => !r.Passed);
        Console.WriteLine($"{results.Count - failed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
