namespace Wren.Storage;

/// <summary>The layout of keys, the same on disk and in S3 (see docs/design.md).</summary>
internal static class StorageKeys
{
    public static string Code(string prefix, string sha256) => Join(prefix, $"code/{sha256}.dll");

    public static string Job(string prefix, string executorId, string jobId) => Join(prefix, $"jobs/{executorId}/{jobId}");

    public static string Function(string prefix, string executorId, string jobId) => $"{Job(prefix, executorId, jobId)}/function";

    public static string Data(string prefix, string executorId, string jobId) => $"{Job(prefix, executorId, jobId)}/data";

    public static string JobRecord(string prefix, string executorId, string jobId) => $"{Job(prefix, executorId, jobId)}/job";

    public static string JobStats(string prefix, string executorId, string jobId) => $"{Job(prefix, executorId, jobId)}/stats";

    /// <summary>A page of short jobs' records and stats, named for the first job on it.</summary>
    public static string JobPage(string prefix, string executorId, string firstJobId) => Join(prefix, $"jobs/{executorId}/{JobPagePrefix}{firstJobId}");

    /// <summary>How a page's name starts: a job's own folder never does (job ids are <c>M0001</c>, <c>M0002</c>, ...).</summary>
    public const string JobPagePrefix = "page-";

    /// <summary>Written when a Map is cancelled; workers running its calls watch for it and trip the calls' tokens.</summary>
    public static string Cancel(string prefix, string executorId, string jobId) => $"{Job(prefix, executorId, jobId)}/cancel";

    /// <summary>The folder of all jobs: <c>&lt;prefix&gt;/jobs/</c>.</summary>
    public static string Jobs(string prefix) => Join(prefix, "jobs/");

    public static string Call(string prefix, string executorId, string jobId, int callId, string name) =>
        $"{Job(prefix, executorId, jobId)}/{callId:D5}/{name}";

    private static string Join(string prefix, string rest) => string.IsNullOrEmpty(prefix) ? rest : $"{prefix.TrimEnd('/')}/{rest}";
}
