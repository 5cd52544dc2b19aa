namespace Wren.Backends.Batch;

/// <summary>
/// What <c>wren deploy-batch</c> creates and the Batch backend uses: names, the worker bundle, and how a container starts
/// the worker. The stock image fetches the bundle (a tar.gz of the same self-contained linux-x64 runtime that Lambda
/// runs) through a presigned URL made for each submission, unpacks it and runs it in its Batch entry mode.
/// </summary>
internal static class BatchDeploymentSettings
{
    public const string ComputeEnvironment = "wren-batch";
    public const string GpuComputeEnvironment = "wren-batch-gpu";
    public const string JobQueue = "wren-batch";
    public const string GpuJobQueue = "wren-batch-gpu";
    public const string JobDefinition = "wren-worker";
    public const string GpuJobDefinition = "wren-worker-gpu";
    public const string JobRoleSuffix = "-batch-job-role";

    /// <summary>A stock public image with curl and tar, nothing of Wren's: the worker arrives as the bundle.</summary>
    public const string StockImage = "public.ecr.aws/amazonlinux/amazonlinux:2023";

    /// <summary>Where a custom image keeps the worker (see <c>wren deploy-batch --dockerfile</c>).</summary>
    public const string CustomImageWorker = "/opt/wren/bootstrap";

    // Environment variables of a Batch container, set per submission by the backend.
    public const string BundleUrlVariable = "WREN_BUNDLE_URL";
    public const string RequestsKeyVariable = Worker.BatchEntry.RequestsKeyVariable;
    public const string BucketVariable = Worker.BatchEntry.BucketVariable;
    public const string RegionVariable = Worker.BatchEntry.RegionVariable;
    public const string ArrayIndexVariable = Worker.BatchEntry.ArrayIndexVariable;

    /// <summary>The worker's argument that selects its Batch entry mode.</summary>
    public const string BatchModeArgument = Worker.BatchEntry.ModeArgument;

    /// <summary>The stock image's command: fetch and unpack the bundle, then hand over to the worker.</summary>
    public static string[] StockCommand =>
    [
        "sh", "-c",
        // The minimal Amazon Linux image may lack tar and libstdc++ (which .NET needs): dnf brings them where it exists.
        $"set -e; if command -v dnf >/dev/null 2>&1; then dnf install -y -q tar gzip libstdc++ >/dev/null; fi; "
        + $"D=\"${{TMPDIR:-/tmp}}/wren\"; mkdir -p \"$D\" && cd \"$D\" && curl -fsS --retry 3 \"${BundleUrlVariable}\" -o worker.tar.gz && tar -xzf worker.tar.gz && exec ./bootstrap {BatchModeArgument}",
    ];

    public static string[] CustomCommand => [CustomImageWorker, BatchModeArgument];

    public static string BundleKey(string prefix, string sha256) =>
        $"{(string.IsNullOrEmpty(prefix) ? "" : prefix.TrimEnd('/') + "/")}runtime/wren-worker-linux-x64-{sha256[..16]}.tar.gz";

    /// <summary>What <c>wren deploy-batch --dockerfile</c> prints: an image with the worker inside, for CUDA or native tools.</summary>
    public static string Dockerfile(string baseImage) => $"""
        # A Wren worker image: build it beside the bundle from `wren deploy-batch --package-only`, push it to a registry,
        # then `wren deploy-batch --image <your image>`.
        FROM {baseImage}
        RUN mkdir -p /opt/wren
        ADD wren-worker-linux-x64.tar.gz /opt/wren/
        # The worker is self-contained; it needs only glibc, libstdc++ and ICU-free globalization (it runs invariant).
        ENTRYPOINT ["{CustomImageWorker}", "{BatchModeArgument}"]
        """;
}
