using Wren.Aws;
using Wren.Aws.Lambda;
using Wren.Backends.Lambda;
using Wren.Backends.Local;
using Wren.Configuration;
using Wren.Storage;

namespace Wren.Backends;

/// <summary>Builds the backend a configuration names.</summary>
internal static class BackendFactory
{
    public static IComputeBackend Create(WrenConfiguration configuration) => configuration.Backend switch
    {
        WrenBackend.Local => new LocalBackend(configuration.StoragePath, configuration.Prefix, configuration.LocalWorkers, configuration.Time, configuration.DataPath),
        WrenBackend.Lambda => CreateLambda(configuration),
        WrenBackend.Batch => CreateBatch(configuration),
        _ => throw new WrenException($"The {configuration.Backend.ToString().ToLowerInvariant()} backend is not available in this version of Wren; use the local backend (WREN_BACKEND=local)."),
    };

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The backend owns its clients (ownsClients: true); CA2000 does not follow a disposable into a constructor.")]
    private static LambdaBackend CreateLambda(WrenConfiguration configuration)
    {
        string bucket = configuration.Bucket
            ?? throw new WrenException("The lambda backend needs an S3 bucket: run `wren create-config --bucket <bucket>` or set WREN_BUCKET.");
        AwsContext aws = AwsContext.FromEnvironment(configuration.Region, configuration.Time);
        var lambda = new LambdaClient(aws);
        // Throttled or dropped invocations are retried inside the client; the executor's log hears of each.
        Jobs.WrenTelemetry.LogRetries(lambda.Http, configuration.Logger, "Lambda");
        return new LambdaBackend(lambda, new S3Storage(bucket, aws), configuration.Function, configuration.Prefix, time: configuration.Time,
            sizes: configuration.LambdaFunctions, ownsClients: true);
    }

    /// <summary>The Batch backend for Maps that outgrow Lambda, when <c>wren deploy-batch</c> has set it up; otherwise null.</summary>
    public static Func<IComputeBackend>? BatchFor(WrenConfiguration configuration) =>
        configuration.Backend == WrenBackend.Lambda && configuration.Batch is not null && configuration.Bucket is not null ? () => CreateBatch(configuration) : null;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The backend owns its clients (ownsClients: true); CA2000 does not follow a disposable into a constructor.")]
    private static Batch.BatchBackend CreateBatch(WrenConfiguration configuration)
    {
        string bucket = configuration.Bucket
            ?? throw new WrenException("The batch backend needs an S3 bucket: run `wren create-config --bucket <bucket>` or set WREN_BUCKET.");
        Batch.BatchTargets targets = configuration.Batch
            ?? throw new WrenException("AWS Batch is not set up for Wren: run `wren deploy-batch`.");
        AwsContext aws = AwsContext.FromEnvironment(configuration.Region, configuration.Time);
        return new Batch.BatchBackend(new Aws.Batch.BatchClient(aws), new S3Storage(bucket, aws), configuration.Prefix, targets, configuration.Time,
            ownsClients: true);
    }
}
