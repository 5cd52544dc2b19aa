namespace Wren.Protocol;

/// <summary>
/// How a worker is started: the assembly every host runs with <c>dotnet</c>, the argument that selects its Batch
/// entry, and the environment variables it reads.
/// </summary>
internal static class WorkerLaunch
{
    /// <summary>The worker's assembly name: the Lambda handler on the managed runtime, and the file <c>dotnet</c> runs.</summary>
    public const string AssemblyName = "Wren.LambdaRuntime";

    /// <summary>The worker's entry file.</summary>
    public const string AssemblyFile = AssemblyName + ".dll";

    /// <summary>The folder beside an app (or the wren tool) that holds the framework-dependent worker.</summary>
    public const string Folder = "wren-worker";

    /// <summary>The worker's argument that selects its Batch entry mode.</summary>
    public const string BatchModeArgument = "--batch";

    /// <summary>The Runtime API endpoint (host:port) the worker polls; set by Lambda and by the local backend.</summary>
    public const string RuntimeApiVariable = "AWS_LAMBDA_RUNTIME_API";

    /// <summary>
    /// Set to 1 by the local backend, whose Runtime API is Wren's own: the worker then sends its next request right
    /// behind its answer, marked with <see cref="NextFollowsHeader"/>, without waiting for the answer's
    /// acknowledgement, and spins briefly for its next invocation before it blocks (<see cref="SocketSpin"/>).
    /// Lambda's Runtime API is not asked to take requests so.
    /// </summary>
    public const string LocalRuntimeVariable = "WREN_LOCAL_RUNTIME";

    /// <summary>The header on a local worker's answer that says its next request follows at once.</summary>
    public const string NextFollowsHeader = "Wren-Next-Follows";

    /// <summary>The worker's name in stats and logs, set by the local backend.</summary>
    public const string WorkerIdVariable = "WREN_WORKER_ID";

    // A Batch child's environment, set per submission by the Batch backend (the array index by Batch itself).
    public const string RequestsKeyVariable = "WREN_REQUESTS_KEY";
    public const string BucketVariable = "WREN_BUCKET";
    public const string RegionVariable = "WREN_REGION";
    public const string ArrayIndexVariable = "AWS_BATCH_JOB_ARRAY_INDEX";
}
