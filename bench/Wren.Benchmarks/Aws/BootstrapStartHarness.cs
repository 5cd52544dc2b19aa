using System.Diagnostics;
using System.IO.Compression;
using Wren.Backends.Lambda;
using Wren.Backends.Local;
using Wren.Deploy.Deployment;
using Wren.TestSupport;
using Wren.TestSupport.Lambda;
using static Wren.Benchmarks.Aws.HarnessTools;

namespace Wren.Benchmarks.Aws;

/// <summary>
/// (3) The deployment packages' sizes, and how long each takes on this machine from <c>Process.Start</c> of its
/// <c>bootstrap</c> to its first <c>next</c> request to a Runtime API (<see cref="RuntimeApiServer.WorkerReady"/>): the
/// dotnet10 package (framework-dependent, started as the managed runtime starts an executable assembly) next to the
/// provided.al2023 one (self-contained, ReadyToRun). Each start gets a new Runtime API server and a new process, which
/// is killed once it has asked for work. Variants take turns, one start each per round; one uncounted start of each
/// comes first.
/// </summary>
internal static class BootstrapStartHarness
{
    public const string Usage = $"""
        --aws-bootstrap [--starts N]
            Reports the deployment package's size and times N starts (default 20) of its bootstrap, from Process.Start to
            its first `next` request. {RuntimeZip.Usage}
        """;

    private const string Managed = LambdaDeploymentSettings.ManagedRuntime;
    private const string Custom = LambdaDeploymentSettings.CustomRuntime;

    private sealed record Variant(string Name, string Runtime, string Root, bool RuntimeApi, IReadOnlyDictionary<string, string> Extra);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        int starts = IntArgument(args, "--starts") ?? 20;
        Console.WriteLine($"Machine: {Machine()}.");
        RuntimePackage managed = RuntimeZip.Managed();
        PrintPackage("dotnet10", managed);
        RuntimePackage selfContained = await RuntimeZip.SelfContainedAsync(args).ConfigureAwait(false);
        PrintPackage("provided.al2023", selfContained);

        string managedRoot = RuntimeZip.Extract(managed, "bootstrap-start-managed");
        string selfContainedRoot = RuntimeZip.Extract(selfContained, "bootstrap-start-selfcontained");
        var noExtra = new Dictionary<string, string>();
        var heapLimit = new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x20000000" };
        Variant[] plan =
        [
            new("dotnet10 (framework-dependent, dotnet exec), Lambda's variables only", Managed, managedRoot, true, noExtra),
            new("provided.al2023 (self-contained, ReadyToRun), Lambda's variables only", Custom, selfContainedRoot, true, noExtra),
            new("dotnet10, plus DOTNET_GCHeapHardLimit = 512 MB (the fakes' stand-in for a 512 MB function's memory limit)", Managed, managedRoot, true, heapLimit),
            new("provided.al2023, plus DOTNET_GCHeapHardLimit = 512 MB", Custom, selfContainedRoot, true, heapLimit),
            new("dotnet10 floor: no AWS_LAMBDA_RUNTIME_API, to its first output line (it prints one and exits)", Managed, managedRoot, false, noExtra),
            new("provided.al2023 floor", Custom, selfContainedRoot, false, noExtra),
        ];
        var samples = plan.ToDictionary(v => v, _ => new List<double>());
        var started = new List<int>();
        try
        {
            foreach (Variant variant in plan) await StartOnceAsync(variant, started).ConfigureAwait(false);
            for (int round = 0; round < starts; round++)
            {
                foreach (Variant variant in plan) samples[variant].Add(await StartOnceAsync(variant, started).ConfigureAwait(false));
                if (!Console.IsOutputRedirected) Console.Write($"\rround {round + 1}/{starts}");
            }
            if (!Console.IsOutputRedirected) Console.WriteLine();
        }
        finally
        {
            RuntimeZip.DeleteFolder(managedRoot);
            RuntimeZip.DeleteFolder(selfContainedRoot);
            File.Delete(managed.ZipPath);
        }

        Console.WriteLine($"Load average after: {LoadAverage()}.");
        Console.WriteLine();
        Console.WriteLine("bootstrap, Process.Start to its first `next` request (ms):");
        Console.WriteLine();
        Console.WriteLine("| variant | starts | min | p50 | p90 | max |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (Variant variant in plan)
        {
            List<double> s = samples[variant];
            Console.WriteLine($"| {variant.Name} | {s.Count} | {Fixed(Percentile(s, 0))} | {Fixed(Percentile(s, 50))} | {Fixed(Percentile(s, 90))} | {Fixed(Percentile(s, 100))} |");
        }
        int left = started.Count(pid => IsRunning(pid, "bootstrap"));
        Console.WriteLine();
        Console.WriteLine(left == 0 ? $"Processes: all {started.Count} bootstrap processes started have exited." : $"WARNING: {left} bootstrap processes are still running.");
        return left == 0 ? 0 : 1;
    }

    private static void PrintPackage(string runtime, RuntimePackage package)
    {
        using ZipArchive zip = ZipFile.OpenRead(package.ZipPath);
        long unpacked = zip.Entries.Sum(e => e.Length);
        Console.WriteLine($"{runtime} package: {package.Size / 1e6:0.00} MB ({Thousands(package.Size)} bytes) zipped; {zip.Entries.Count} files, {unpacked / 1e6:0.0} MB unzipped. Lambda's limits: 50 MB zipped for a direct upload, 250 MB unzipped.");
        Console.WriteLine("Largest files (unzipped): " + string.Join(", ", zip.Entries.OrderByDescending(e => e.Length).Take(6).Select(e => $"{e.FullName} {e.Length / 1e6:0.0} MB")) + ".");
    }

    /// <summary>One start: the time from Process.Start to the first `next` (or, for the floor, to the first output line).</summary>
    private static async Task<double> StartOnceAsync(Variant variant, List<int> started)
    {
        string root = variant.Root;
        await using var api = new RuntimeApiServer();
        // Started as Lambda's runtime starts it: the package's own bootstrap, or for dotnet10 the managed runtime's script.
        ProcessStartInfo start = RuntimeBootstrap.StartInfo(variant.Runtime, LambdaDeploymentSettings.HandlerFor(variant.Runtime), root);
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = root;
        // The environment Lambda gives a function (credentials left out: nothing here uses them).
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/bin:/usr/bin/:/bin:/opt/bin";
        start.Environment["LANG"] = "en_US.UTF-8";
        start.Environment["TZ"] = ":UTC";
        start.Environment["LAMBDA_TASK_ROOT"] = root;
        start.Environment["_HANDLER"] = Wren.Protocol.WorkerLaunch.AssemblyName;
        start.Environment["AWS_REGION"] = MotoServer.Region;
        start.Environment["AWS_DEFAULT_REGION"] = MotoServer.Region;
        start.Environment["AWS_LAMBDA_FUNCTION_NAME"] = "wren-runtime";
        start.Environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "512";
        start.Environment["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
        start.Environment["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/wren-runtime";
        start.Environment["AWS_LAMBDA_LOG_STREAM_NAME"] = $"2026/11/21/[$LATEST]{Guid.NewGuid():N}";
        if (variant.RuntimeApi) start.Environment["AWS_LAMBDA_RUNTIME_API"] = api.Endpoint;
        foreach ((string key, string value) in variant.Extra) start.Environment[key] = value;

        var ready = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (variant.RuntimeApi) api.WorkerReady += _ => ready.TrySetResult(Stopwatch.GetTimestamp());
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (!variant.RuntimeApi && e.Data is not null) ready.TrySetResult(Stopwatch.GetTimestamp());
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!variant.RuntimeApi && e.Data is not null) ready.TrySetResult(Stopwatch.GetTimestamp());
        };
        long before = Stopwatch.GetTimestamp();
        process.Start();
        started.Add(process.Id);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            long at = await ready.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            return Stopwatch.GetElapsedTime(before, at).TotalMilliseconds;
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
    }
}
