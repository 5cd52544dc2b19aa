using Amazon.S3;
using Wren.Aws;
using Wren.Aws.Lambda;
using Wren.Backends.Lambda;
using Wren.Configuration;
using Wren.Deploy.Deployment;
using Wren.Storage;
using static Wren.Benchmarks.Aws.HarnessTools;

namespace Wren.Benchmarks.Aws;

/// <summary>
/// What the harnesses that run Maps through the Lambda backend stand on: the deployment package extracted, moto_server
/// (started here) with a bucket of its own, <see cref="FakeLambda"/> functions that run that package's
/// <c>bootstrap</c> with workers reading and writing the same moto, and executors on a real <see cref="LambdaBackend"/>
/// that reach both. Disposing stops all of it; <see cref="ReportExited"/> then checks that every process it started
/// has ended.
/// </summary>
internal sealed class LambdaRig : IAsyncDisposable
{
    private readonly string _root;
    private readonly Dictionary<string, string> _motoVariables;
    private readonly List<FakeLambda> _lambdas = [];
    private readonly List<int> _sandboxProcesses = [];
    // Kept apart from the process object, which is disposed before the check that the process has exited.
    private readonly int _motoProcess;

    private LambdaRig(string root, MotoProcess moto, string bucket)
    {
        _root = root;
        Moto = moto;
        Bucket = bucket;
        _motoVariables = moto.Variables();
        _motoProcess = moto.ProcessId;
    }

    public MotoProcess Moto { get; }

    public string Bucket { get; }

    /// <summary>Extracts <paramref name="package"/>, starts moto_server and creates a bucket in it.</summary>
    public static async Task<LambdaRig> StartAsync(RuntimePackage package, string name)
    {
        string root = RuntimeZip.Extract(package, name);
        MotoProcess? moto = null;
        try
        {
            moto = await MotoProcess.StartAsync().ConfigureAwait(false);
            var rig = new LambdaRig(root, moto, $"wren-bench-{Guid.NewGuid():N}"[..24]);
            using (IAmazonS3 s3 = S3Storage.CreateClient(MotoProcess.Region, environment: rig.Variable))
                await s3.PutBucketAsync(rig.Bucket).ConfigureAwait(false);
            return rig;
        }
        catch
        {
            if (moto is not null) await moto.DisposeAsync().ConfigureAwait(false);
            RuntimeZip.DeleteFolder(root);
            throw;
        }
    }

    /// <summary>One line for the log: moto's endpoint and process, and the bucket.</summary>
    public override string ToString() => $"moto_server {Moto.Endpoint} (pid {_motoProcess}), bucket {Bucket}";

    /// <summary>A fake Lambda function over the package, with fresh sandboxes; it stops with the rig, or at <see cref="StopAsync"/>.</summary>
    public FakeLambda StartLambda(string functionName, int memoryMb, int timeoutSeconds, int maxSandboxes)
    {
        var sandboxEnvironment = new Dictionary<string, string>(_motoVariables) { ["AWS_LAMBDA_FUNCTION_NAME"] = functionName };
        var lambda = new FakeLambda(_root, functionName, memoryMb, timeoutSeconds, maxSandboxes, sandboxEnvironment);
        _lambdas.Add(lambda);
        return lambda;
    }

    /// <summary>Stops a fake Lambda and its sandboxes, keeping their process ids for <see cref="ReportExited"/>.</summary>
    public async Task StopAsync(FakeLambda lambda)
    {
        if (!_lambdas.Remove(lambda)) return;
        _sandboxProcesses.AddRange(lambda.ProcessIds);
        await lambda.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// An executor on the Lambda backend, as a client configured for <paramref name="lambda"/> makes it: its memory in
    /// the configuration, and <paramref name="configuredTimeout"/> (the config file's timeout, or none). The backend's
    /// S3 requests go through <paramref name="s3Handler"/> when one is given.
    /// </summary>
    public WrenExecutor CreateExecutor(FakeLambda lambda, InvocationType mode, string prefix, TimeSpan? configuredTimeout, HttpMessageHandler? s3Handler = null)
    {
        var variables = new Dictionary<string, string>(_motoVariables) { ["AWS_ENDPOINT_URL_LAMBDA"] = lambda.Endpoint };
        Func<string, string?> environment = name => variables.GetValueOrDefault(name);
        var configuration = new WrenConfiguration
        {
            Backend = WrenBackend.Lambda,
            StoragePath = Path.Combine(Path.GetTempPath(), "wren-bench", "unused-local-storage"),
            DataPath = Path.Combine(Path.GetTempPath(), "wren-bench", "unused-local-data"),
            Bucket = Bucket,
            Prefix = prefix,
            Function = lambda.FunctionName,
            Region = MotoProcess.Region,
            LocalWorkers = 1,
            MemoryMb = lambda.MemoryMb,
            Timeout = configuredTimeout,
            Time = TimeProvider.System,
        };
        AwsContext aws = AwsContext.FromEnvironment(MotoProcess.Region, environment: environment);
        var storage = new S3Storage(Bucket, MotoProcess.Region, handler: s3Handler, environment: environment);
        var backend = new LambdaBackend(new LambdaClient(aws), storage, lambda.FunctionName, prefix, mode, ownsClients: true);
        return WrenExecutor.Create(configuration, backend);
    }

    private string? Variable(string name) => _motoVariables.GetValueOrDefault(name);

    public async ValueTask DisposeAsync()
    {
        foreach (FakeLambda lambda in _lambdas.ToArray()) await StopAsync(lambda).ConfigureAwait(false);
        await Moto.DisposeAsync().ConfigureAwait(false);
        RuntimeZip.DeleteFolder(_root);
    }

    /// <summary>After disposing: prints whether moto_server and every sandbox have exited; 0 if so, else 1.</summary>
    public int ReportExited()
    {
        int left = _sandboxProcesses.Count(pid => IsRunning(pid, "bootstrap")) + (IsRunning(_motoProcess, "moto_server") ? 1 : 0);
        Console.WriteLine();
        Console.WriteLine(left == 0
            ? $"Processes: moto_server (pid {_motoProcess}) and all {_sandboxProcesses.Count} bootstrap sandboxes have exited."
            : $"WARNING: {left} of the processes this harness started are still running.");
        return left == 0 ? 0 : 1;
    }
}
