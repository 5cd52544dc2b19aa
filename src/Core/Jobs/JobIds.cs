namespace Wren.Jobs;

/// <summary>A job's id for people: <c>&lt;executor&gt;-&lt;job&gt;</c>, such as <c>3f9a1c2b-M0001</c>; in storage, <c>jobs/&lt;executor&gt;/&lt;job&gt;/</c>.</summary>
internal static class JobIds
{
    public static string Format(string executorId, string jobId) => $"{executorId}-{jobId}";

    public static (string ExecutorId, string JobId) Parse(string id)
    {
        int dash = id.LastIndexOf('-');
        return dash > 0 ? (id[..dash], id[(dash + 1)..]) : ("", id);
    }
}
