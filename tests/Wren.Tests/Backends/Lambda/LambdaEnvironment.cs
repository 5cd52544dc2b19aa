using Amazon.S3;
using Wren.Aws;
using Wren.Aws.Lambda;
using Wren.Backends.Lambda;
using Wren.Configuration;
using Wren.Storage;
using Wren.Tests.Deploy;
using Wren.TestSupport.Lambda;

namespace Wren.Tests.Backends.Lambda;

/// <summary>
/// A Wren setup on moto made with the real commands (create-config, create-role, deploy-lambda), and the fake Lambda
/// service running the deployed package: what a user has after following the README, with AWS replaced by moto.
/// </summary>
internal sealed class LambdaEnvironment : IAsyncDisposable
{
    private LambdaEnvironment(MotoServer moto, string configPath, string bucket, FakeLambdaService lambda)
    {
        Moto = moto;
        ConfigPath = configPath;
        Bucket = bucket;
        Lambda = lambda;
    }

    public const string FunctionName = "wren-runtime-test";

    public MotoServer Moto { get; }
    public string ConfigPath { get; }
    public string Bucket { get; }
    public FakeLambdaService Lambda { get; }

    /// <summary>Where AWS is for the client: moto, except Lambda, which is the fake service.</summary>
    public Func<string, string?> ClientEnvironment => Moto.Environment(ConfigPath, new Dictionary<string, string> { ["AWS_ENDPOINT_URL_LAMBDA"] = Lambda.Endpoint });

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The environment owns the fake Lambda service and disposes it in DisposeAsync; the caller owns the environment.")]
    public static async Task<LambdaEnvironment> CreateAsync(MotoServer moto, int memoryMb = 512, int timeoutSeconds = 60)
    {
        moto.Require();
        string configPath = Path.Combine(Path.GetTempPath(), "wren-tests", Guid.NewGuid().ToString("N"), "config.json");
        string bucket = $"wren-{Guid.NewGuid():N}"[..24];
        using (IAmazonS3 s3 = S3Storage.CreateClient(MotoServer.Region, environment: moto.Environment()))
            await s3.PutBucketAsync(bucket);
        Func<string, string?> environment = moto.Environment(configPath);
        await Expect(environment, "create-config", "--bucket", bucket, "--function", FunctionName, "--memory", memoryMb.ToString(), "--timeout", timeoutSeconds.ToString());
        await Expect(environment, "create-role");
        await Expect(environment, "deploy-lambda", "--zip", WorkerPackage.ZipPath);
        var sandboxEnvironment = new Dictionary<string, string>(moto.Variables()) { ["AWS_LAMBDA_FUNCTION_NAME"] = FunctionName };
        var lambda = new FakeLambdaService(WorkerPackage.ZipPath, moto.Endpoint, sandboxEnvironment);
        return new LambdaEnvironment(moto, configPath, bucket, lambda);
    }

    private static async Task Expect(Func<string, string?> environment, params string[] args)
    {
        CliRun run = await CliRun.RunAsync(environment, args);
        if (run.ExitCode != 0) throw new InvalidOperationException($"wren {string.Join(' ', args)} failed: {run}");
    }

    /// <summary>An executor on the function named, or with <paramref name="function"/> null on what the config records (every deployed size).</summary>
    /// <remarks><paramref name="s3"/> is the client's S3 handler (one that injects faults), if not the default.</remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The executor owns the backend and disposes it; the caller owns the executor.")]
    public WrenExecutor CreateExecutor(InvocationType mode = InvocationType.RequestResponse, string? function = FunctionName, Microsoft.Extensions.Logging.ILoggerFactory? loggers = null, HttpMessageHandler? s3 = null) =>
        WrenExecutor.Create(WrenConfiguration.Resolve(new WrenOptions { Function = function, LoggerFactory = loggers }, ClientEnvironment), CreateBackend(mode, function, loggers, s3));

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The backend owns its Lambda client and storage (ownsClients: true) and disposes them; the caller owns the backend.")]
    public LambdaBackend CreateBackend(InvocationType mode = InvocationType.RequestResponse, string? function = FunctionName, Microsoft.Extensions.Logging.ILoggerFactory? loggers = null, HttpMessageHandler? s3 = null)
    {
        WrenConfiguration configuration = WrenConfiguration.Resolve(new WrenOptions { Function = function, LoggerFactory = loggers }, ClientEnvironment);
        AwsContext aws = AwsContext.FromEnvironment(configuration.Region, environment: ClientEnvironment);
        var lambda = new LambdaClient(aws);
        if (loggers is not null) Wren.Jobs.WrenTelemetry.LogRetries(lambda.Http, configuration.Logger, "Lambda");
        return new LambdaBackend(lambda, new S3Storage(Bucket, aws.Region, handler: s3, environment: ClientEnvironment), configuration.Function, configuration.Prefix, mode,
            sizes: configuration.LambdaFunctions, ownsClients: true);
    }

    public LambdaClient MotoLambda() => new(AwsContext.FromEnvironment(environment: Moto.Environment()));

    public async ValueTask DisposeAsync() => await Lambda.DisposeAsync();
}
