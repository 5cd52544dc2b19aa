using Wren.Protocol;

namespace Wren.Backends.Batch;

/// <summary>
/// What <c>wren deploy-batch</c> creates and the Batch backend uses: names, the worker bundle, and how a container starts
/// the worker. The stock image is Microsoft's .NET runtime image on Alpine, which has the .NET 10 runtime and busybox's
/// <c>wget</c> and <c>unzip</c>: it fetches the bundle (the same framework-dependent worker zip that Lambda runs) through
/// a presigned URL made for each submission, unpacks it and runs it with <c>dotnet</c>. Nothing is installed at job start.
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

    /// <summary>Microsoft's .NET 10 runtime image, Alpine variant (busybox wget and unzip), with nothing of Wren's.</summary>
    public const string StockImage = "mcr.microsoft.com/dotnet/runtime:10.0-alpine";

    /// <summary>The base of <c>wren deploy-batch --dockerfile</c> when none is given: the Debian .NET runtime image.</summary>
    public const string DockerfileBaseImage = "mcr.microsoft.com/dotnet/runtime:10.0";

    /// <summary>Where a custom image keeps the worker (see <c>wren deploy-batch --dockerfile</c>).</summary>
    public const string CustomImageFolder = "/opt/wren";

    /// <summary>The name <c>wren deploy-batch --package-only</c> writes, and the Dockerfile copies.</summary>
    public const string BundleFileName = "wren-worker.zip";

    // Environment variables of a Batch container, set per submission by the backend.
    public const string BundleUrlVariable = "WREN_BUNDLE_URL";
    public const string RequestsKeyVariable = WorkerLaunch.RequestsKeyVariable;
    public const string BucketVariable = WorkerLaunch.BucketVariable;
    public const string RegionVariable = WorkerLaunch.RegionVariable;
    public const string ArrayIndexVariable = WorkerLaunch.ArrayIndexVariable;

    /// <summary>The stock image's command: fetch and unpack the bundle with busybox, then hand over to the worker.</summary>
    public static string[] StockCommand =>
    [
        "sh", "-c",
        "set -e; D=\"${TMPDIR:-/tmp}/wren\"; mkdir -p \"$D\"; cd \"$D\"; n=0; "
        + $"until wget -q -O worker.zip \"${BundleUrlVariable}\"; do n=$((n+1)); [ \"$n\" -lt 3 ] || exit 1; sleep 2; done; "
        + $"unzip -q -o worker.zip; exec dotnet {WorkerLaunch.AssemblyFile} {WorkerLaunch.BatchModeArgument}",
    ];

    public static string[] CustomCommand => ["dotnet", $"{CustomImageFolder}/{WorkerLaunch.AssemblyFile}", WorkerLaunch.BatchModeArgument];

    public static string BundleKey(string prefix, string sha256) =>
        $"{(string.IsNullOrEmpty(prefix) ? "" : prefix.TrimEnd('/') + "/")}runtime/wren-worker-{sha256[..16]}.zip";

    /// <summary>
    /// What <c>wren deploy-batch --dockerfile</c> prints: an image with the worker inside, for CUDA or native tools.
    /// A base without .NET gets the runtime copied from Microsoft's image; the zip is unpacked in a build stage, so the
    /// base needs no unzip.
    /// </summary>
    public static string Dockerfile(string baseImage) => $"""
        # A Wren worker image: build it beside {BundleFileName} from `wren deploy-batch --package-only`, push it to a
        # registry, then `wren deploy-batch --image <your image>`.
        FROM {DockerfileBaseImage} AS dotnet
        FROM {StockImage} AS unpack
        COPY {BundleFileName} /tmp/
        RUN mkdir -p {CustomImageFolder} && unzip -q /tmp/{BundleFileName} -d {CustomImageFolder}
        FROM {baseImage}
        # The .NET 10 runtime (a no-op copy when the base is a .NET image already). A non-.NET base needs glibc,
        # libstdc++, OpenSSL and CA certificates; Wren runs with invariant globalization, so ICU is not needed.
        COPY --from=dotnet /usr/share/dotnet /usr/share/dotnet
        ENV DOTNET_ROOT=/usr/share/dotnet PATH="$PATH:/usr/share/dotnet"
        COPY --from=unpack {CustomImageFolder} {CustomImageFolder}
        ENTRYPOINT ["dotnet", "{CustomImageFolder}/{WorkerLaunch.AssemblyFile}", "{WorkerLaunch.BatchModeArgument}"]
        """;
}
