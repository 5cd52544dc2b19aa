using Amazon.S3;
using Wren.Aws;
using Wren.Aws.Batch;
using Wren.Backends.Batch;
using Wren.Configuration;
using Wren.Protocol;
using Wren.Storage;
using Wren.Tests.Backends.Lambda;
using Wren.Tests.Support;
using Wren.TestSupport.Batch;

namespace Wren.Tests.Backends.Batch;

/// <summary>
/// Wren on Batch with AWS replaced: the worker bundle in S3 and the job definition in moto, and the fake Batch service
/// running each child as its container would, fetching the bundle through its presigned URL.
/// </summary>
internal sealed class BatchEnvironment : IAsyncDisposable
{
    private BatchEnvironment(MotoServer moto, string bucket, string bundleKey, FakeBatchService batch)
    {
        Moto = moto;
        Bucket = bucket;
        BundleKey = bundleKey;
        Batch = batch;
    }

    public MotoServer Moto { get; }
    public string Bucket { get; }
    public string BundleKey { get; }
    public FakeBatchService Batch { get; }

    public Func<string, string?> ClientEnvironment => Moto.Environment(null, new Dictionary<string, string> { ["AWS_ENDPOINT_URL_BATCH"] = Batch.Endpoint });

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The environment owns the fake Batch service and disposes it in DisposeAsync; the caller owns the environment.")]
    public static async Task<BatchEnvironment> CreateAsync(MotoServer moto)
    {
        moto.Require();
        string bucket = $"wren-{Guid.NewGuid():N}"[..24];
        using (IAmazonS3 s3 = S3Storage.CreateClient(MotoServer.Region, environment: moto.Environment()))
            await s3.PutBucketAsync(bucket);
        byte[] bundle = await File.ReadAllBytesAsync(WorkerPackage.ZipPath);
        string bundleKey = BatchDeploymentSettings.BundleKey(WrenConfiguration.DefaultPrefix, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bundle)));
        using (var storage = new S3Storage(bucket, MotoServer.Region, environment: moto.Environment()))
            await storage.PutAsync(bundleKey, bundle);
        using var control = new BatchClient(AwsContext.FromEnvironment(environment: moto.Environment()));
        foreach (string name in new[] { BatchDeploymentSettings.JobDefinition, BatchDeploymentSettings.GpuJobDefinition })
        await control.RegisterJobDefinitionAsync(new RegisterJobDefinitionRequest
        {
            JobDefinitionName = name,
            ContainerProperties = new ContainerProperties
            {
                Image = BatchDeploymentSettings.StockImage,
                Command = [.. BatchDeploymentSettings.StockCommand],
                ResourceRequirements = [new() { Type = ResourceRequirement.Vcpu, Value = "1" }, new() { Type = ResourceRequirement.Memory, Value = "2048" }],
                Environment = [new() { Name = "WREN_PROTOCOL", Value = WrenProtocol.Version.ToString() }],
            },
            PlatformCapabilities = [RegisterJobDefinitionRequest.Fargate],
        });
        return new BatchEnvironment(moto, bucket, bundleKey, new FakeBatchService(moto.Endpoint, moto.Variables()));
    }

    /// <summary>A Batch backend on this setup; with <paramref name="gpu"/>, one that also knows the GPU queue and definition.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The backend owns its Batch client and storage (ownsClients: true) and disposes them; the caller owns the backend.")]
    public BatchBackend CreateBackend(bool gpu = false) => new(
        new BatchClient(AwsContext.FromEnvironment(environment: ClientEnvironment)),
        new S3Storage(Bucket, MotoServer.Region, environment: ClientEnvironment),
        WrenConfiguration.DefaultPrefix,
        new BatchTargets(BatchDeploymentSettings.JobQueue, BatchDeploymentSettings.JobDefinition,
            gpu ? BatchDeploymentSettings.GpuJobQueue : null, gpu ? BatchDeploymentSettings.GpuJobDefinition : null, BundleKey),
        // The fake answers DescribeJobs at once: a poll backing off towards 15 s would only wait.
        new ShortWaitsTimeProvider(TimeSpan.FromSeconds(1)),
        ownsClients: true)
    {
        PollInterval = TimeSpan.FromMilliseconds(300),
        // The fake runs four containers at a time on this two-core machine, each a worker's cold start: a Map of 200
        // calls is an array job of 8 children rather than 32, the same job with a quarter of the starts.
        DefaultConcurrency = 8,
    };

    public WrenExecutor CreateExecutor()
    {
        WrenConfiguration configuration = WrenConfiguration.Resolve(new WrenOptions { Backend = WrenBackend.Batch, Bucket = Bucket, ConfigPath = "/nonexistent" }, ClientEnvironment);
        return WrenExecutor.Create(configuration, CreateBackend());
    }

    public async ValueTask DisposeAsync() => await Batch.DisposeAsync();
}
