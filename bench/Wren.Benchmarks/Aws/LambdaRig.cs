using System.IO.Compression;
using Amazon.S3;
using Wren.Aws;
using Wren.Aws.Lambda;
using Wren.Backends.Lambda;
using Wren.Configuration;
using Wren.Deploy.Deployment;
using Wren.Storage;
using Wren.TestSupport;
using Wren.TestSupport.Lambda;
using static Wren.Benchmarks.Aws.HarnessTools;

namespace Wren.Benchmarks.Aws;

/// <summary>
/// What the harnesses that run Maps through the Lambda backend stand on: moto_server (started here) with a bucket of
/// its own, fake Lambda functions (<see cref="FakeLambdaService"/>, the tests' own) that run the deployment package with
/// workers reading and writing the same moto, and executors on a real <see cref="LambdaBackend"/> that reach both.
/// Disposing stops all of it; <see cref="ReportExited"/> then checks that every process it started has ended.
/// </summary>
internal sealed class LambdaRig : IAsyncDisposable
{
    private readonly RuntimePackage _package;
    private readonly string _runtime;
    private readonly Dictionary<string, string> _motoVariables;
    private readonly List<Function> _lambdas = [];
    private readonly List<int> _sandboxProcesses = [];
    // Kept apart from the process object, which is disposed before the check that the process has exited.
    private readonly int _motoProcess;

    private LambdaRig(RuntimePackage package, MotoServer moto, string bucket)
    {
        _package = package;
        using (ZipArchive zip = ZipFile.OpenRead(package.ZipPath))
            _runtime = zip.GetEntry("bootstrap") is null ? LambdaDeploymentSettings.ManagedRuntime : LambdaDeploymentSettings.CustomRuntime;
        Moto = moto;
        Bucket = bucket;
        _motoVariables = moto.Variables();
        _motoProcess = moto.ProcessId;
    }

    /// <summary>One function of the rig: its fake Lambda service and its configuration.</summary>
    public sealed record Function(FakeLambdaService Service, FunctionSetup Setup);

    public MotoServer Moto { get; }

    public string Bucket { get; }

    /// <summary>Starts moto_server and creates a bucket in it, for functions running <paramref name="package"/>.</summary>
    public static async Task<LambdaRig> StartAsync(RuntimePackage package)
    {
        MotoServer moto = await MotoServer.StartAsync().ConfigureAwait(false);
        try
        {
            var rig = new LambdaRig(package, moto, $"wren-bench-{Guid.NewGuid():N}"[..24]);
            using (IAmazonS3 s3 = S3Storage.CreateClient(MotoServer.Region, environment: rig.Variable))
                await s3.PutBucketAsync(rig.Bucket).ConfigureAwait(false);
            return rig;
        }
        catch
        {
            await moto.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>One line for the log: moto's endpoint and process, and the bucket.</summary>
    public override string ToString() => $"moto_server {Moto.Endpoint} (pid {_motoProcess}), bucket {Bucket}";

    /// <summary>A fake Lambda function over the package, with fresh sandboxes; it stops with the rig, or at <see cref="StopAsync"/>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The rig keeps the function and disposes its fake service in StopAsync or DisposeAsync.")]
    public Function StartLambda(string functionName, int memoryMb, int timeoutSeconds, int maxSandboxes)
    {
        var setup = new FunctionSetup(functionName, memoryMb, timeoutSeconds, _runtime, LambdaDeploymentSettings.HandlerFor(_runtime));
        var service = new FakeLambdaService(_package.ZipPath, motoEndpoint: null, _motoVariables, maxSandboxes, privateTemp: true);
        service.Define(setup);
        var lambda = new Function(service, setup);
        _lambdas.Add(lambda);
        return lambda;
    }

    /// <summary>Stops a fake Lambda and its sandboxes, keeping their process ids for <see cref="ReportExited"/>.</summary>
    public async Task StopAsync(Function lambda)
    {
        if (!_lambdas.Remove(lambda)) return;
        _sandboxProcesses.AddRange(lambda.Service.Sandboxes.Select(s => s.ProcessId));
        await lambda.Service.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// An executor on the Lambda backend, as a client configured for <paramref name="lambda"/> makes it: its memory in
    /// the configuration, and <paramref name="configuredTimeout"/> (the config file's timeout, or none). The backend's
    /// S3 requests go through <paramref name="s3Handler"/> when one is given.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The backend owns its Lambda client and storage (ownsClients: true), the executor owns the backend; the caller owns the executor.")]
    public WrenExecutor CreateExecutor(Function lambda, InvocationType mode, string prefix, TimeSpan? configuredTimeout, HttpMessageHandler? s3Handler = null)
    {
        var variables = new Dictionary<string, string>(_motoVariables) { ["AWS_ENDPOINT_URL_LAMBDA"] = lambda.Service.Endpoint };
        Func<string, string?> environment = name => variables.GetValueOrDefault(name);
        var configuration = new WrenConfiguration
        {
            Backend = WrenBackend.Lambda,
            StoragePath = Path.Combine(Path.GetTempPath(), "wren-bench", "unused-local-storage"),
            DataPath = Path.Combine(Path.GetTempPath(), "wren-bench", "unused-local-data"),
            Bucket = Bucket,
            Prefix = prefix,
            Function = lambda.Setup.Name,
            Region = MotoServer.Region,
            LocalWorkers = 1,
            MemoryMb = lambda.Setup.MemoryMb,
            Timeout = configuredTimeout,
            Time = TimeProvider.System,
        };
        AwsContext aws = AwsContext.FromEnvironment(MotoServer.Region, environment: environment);
        var storage = new S3Storage(Bucket, MotoServer.Region, handler: s3Handler, environment: environment);
        var backend = new LambdaBackend(new LambdaClient(aws), storage, lambda.Setup.Name, prefix, mode, ownsClients: true);
        return WrenExecutor.Create(configuration, backend);
    }

    private string? Variable(string name) => _motoVariables.GetValueOrDefault(name);

    public async ValueTask DisposeAsync()
    {
        foreach (Function lambda in _lambdas.ToArray()) await StopAsync(lambda).ConfigureAwait(false);
        await Moto.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>After disposing: prints whether moto_server and every sandbox have exited; 0 if so, else 1.</summary>
    public int ReportExited()
    {
        int left = _sandboxProcesses.Count(pid => IsRunning(pid, "Wren.LambdaRuntime") || IsRunning(pid, "bootstrap")) + (IsRunning(_motoProcess, "moto_server") ? 1 : 0);
        Console.WriteLine();
        Console.WriteLine(left == 0
            ? $"Processes: moto_server (pid {_motoProcess}) and all {_sandboxProcesses.Count} sandboxes have exited."
            : $"WARNING: {left} of the processes this harness started are still running.");
        return left == 0 ? 0 : 1;
    }
}
