using System.CommandLine;
using Wren.Aws.Logs;
using Wren.Configuration;
using Wren.Deploy.Logs;
using Wren.Jobs;
using Wren.Storage;

namespace Wren.Deploy.Commands;

/// <summary>
/// <c>wren logs</c>: what workers printed, newest last: from the function's CloudWatch log group on AWS, from the
/// stored call logs on the local backend. Narrow to a job or call, go back a while, or keep following.
/// </summary>
internal sealed class LogsCommand : WrenCommand
{
    private static readonly TimeSpan FollowPause = TimeSpan.FromSeconds(2);

    private readonly Option<string?> _job = new("--job") { Description = "Only this job's lines (its id from `wren jobs` or FutureList.JobId)" };
    private readonly Option<int?> _call = new("--call") { Description = "Only this call's lines (its input index); needs --job" };
    private readonly Option<string> _since = new("--since") { Description = "How far back, such as 10m, 2h or 1d (default: 1h)", DefaultValueFactory = _ => "1h" };
    private readonly Option<bool> _follow = new("--follow", "-f") { Description = "Keep printing new lines until Ctrl-C" };

    public LogsCommand(CommandContext context) : base("logs", "Print the workers' log lines", context)
    {
        Add(_job);
        Add(_call);
        Add(_since);
        Add(_follow);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        int? call = parse.GetValue(_call);
        if (call is not null && parse.GetValue(_job) is null) throw new WrenException("--call needs --job: a call is known by its job and its input index.");
        TimeSpan since = Durations.Parse(parse.GetValue(_since)!, "--since");
        bool follow = parse.GetValue(_follow);
        var printer = new LogPrinter(Context.Out, Context.Interactive);
        WrenConfiguration configuration = Context.ExecutorConfiguration();
        using JobStore store = Context.Jobs();
        string? jobId = parse.GetValue(_job);
        // On AWS a full job id is used as it is; a partial one is looked up among the jobs in the bucket.
        JobStore.Summary? job = jobId is null ? null
            : configuration.Backend != WrenBackend.Local && jobId.Contains('-')
                ? new JobStore.Summary(jobId, "", "", default, 0, null, null, 0, null, null, [])
                : await store.FindAsync(jobId, cancellationToken).ConfigureAwait(false);
        DateTimeOffset from = Context.Time.GetUtcNow() - since;
        try
        {
            if (configuration.Backend == WrenBackend.Local) await PrintStoredAsync(store, job, call, from, follow, printer, cancellationToken).ConfigureAwait(false);
            else await PrintCloudWatchAsync(configuration, job, call, from, follow, printer, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (follow && cancellationToken.IsCancellationRequested)
        {
        }
        return ExitCodes.Success;
    }

    private async Task PrintStoredAsync(JobStore store, JobStore.Summary? job, int? call, DateTimeOffset from, bool follow, LogPrinter printer, CancellationToken cancellationToken)
    {
        var printed = new Dictionary<string, long>();
        do
        {
            IReadOnlyList<JobStore.Summary> jobs = job is null ? await store.ListAsync(cancellationToken).ConfigureAwait(false) : [job];
            foreach (JobStore.Summary each in jobs.OrderBy(j => j.CreatedAt))
            {
                foreach (StoredObject log in await store.CallLogsAsync(each, cancellationToken).ConfigureAwait(false))
                {
                    int callId = int.Parse(log.Key.Split('/')[^2]);
                    if (call is not null && callId != call) continue;
                    if (log.LastModified < from || printed.GetValueOrDefault(log.Key) == log.Size) continue;
                    printed[log.Key] = log.Size;
                    string text = System.Text.Encoding.UTF8.GetString(await store.Storage.GetAsync(log.Key, cancellationToken: cancellationToken).ConfigureAwait(false));
                    foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    {
                        bool error = line.StartsWith("ERROR ", StringComparison.Ordinal);
                        await printer.PrintAsync(log.LastModified, $"{each.Id}#{callId:D5} {(error ? "ERROR" : "INFO")} {(error ? line[6..] : line)}").ConfigureAwait(false);
                    }
                }
            }
            if (follow) await Task.Delay(FollowPause, Context.Time, cancellationToken).ConfigureAwait(false);
        }
        while (follow);
    }

    private async Task PrintCloudWatchAsync(WrenConfiguration configuration, JobStore.Summary? job, int? call, DateTimeOffset from, bool follow, LogPrinter printer, CancellationToken cancellationToken)
    {
        using var logs = new CloudWatchLogsClient(Context.Aws(configuration.Region));
        // Every deployed size logs to its own function's group.
        string[] groups = [.. (configuration.LambdaFunctions?.Select(f => f.Name) ?? [configuration.Function]).Select(name => $"/aws/lambda/{name}")];
        // A quoted term matches text containing it exactly; the job's tag is "<job>#<call>".
        string? pattern = job is null ? null : call is null ? $"\"{job.Id}#\"" : $"\"{job.Id}#{call:D5}\"";
        var seen = new HashSet<string>();
        var starts = groups.ToDictionary(g => g, _ => from.ToUnixTimeMilliseconds());
        do
        {
            int missing = 0;
            foreach (string group in groups)
            {
                var request = new FilterLogEventsRequest { LogGroupName = group, StartTime = starts[group], FilterPattern = pattern };
                try
                {
                    await foreach (LogEvent logEvent in logs.FilterLogEventsAsync(request, cancellationToken).ConfigureAwait(false))
                    {
                        if (logEvent.EventId is { } eventId && !seen.Add(eventId)) continue;
                        await printer.PrintAsync(DateTimeOffset.FromUnixTimeMilliseconds(logEvent.Timestamp), logEvent.Message).ConfigureAwait(false);
                        starts[group] = Math.Max(starts[group], logEvent.Timestamp);
                    }
                }
                catch (Aws.AwsServiceException e) when (e.ErrorCode == "ResourceNotFoundException")
                {
                    // A size that has not run yet has no group; only when none has is there nothing to show.
                    missing++;
                }
            }
            if (missing == groups.Length)
                throw new WrenException($"There is no log group {string.Join(" or ", groups)} in {configuration.Region ?? "this region"} yet: the function has not run, or is not deployed (`wren deploy-lambda`).");
            if (follow) await Task.Delay(FollowPause, Context.Time, cancellationToken).ConfigureAwait(false);
        }
        while (follow);
    }
}
