using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Wren.Jobs;

namespace Wren.Deploy.Commands;

/// <summary><c>wren jobs</c>: the jobs in storage, newest first: id, when, calls, succeeded, failed, invocations, estimated cost, bytes.</summary>
internal sealed class JobsCommand : WrenCommand
{
    private readonly Option<bool> _json = new("--json") { Description = "Print the jobs as a JSON array, for scripts" };

    public JobsCommand(CommandContext context) : base("jobs", "List the jobs in storage", context)
    {
        Add(_json);
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using JobStore store = Context.Jobs();
        IReadOnlyList<JobStore.Summary> jobs = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        if (parse.GetValue(_json))
        {
            // Unfinished jobs have no counts yet: null, as "running" is in the table.
            var rows = jobs.Select(j => new { id = j.Id, createdAt = j.CreatedAt, function = j.Function, backend = j.Backend, calls = j.Calls, succeeded = j.Succeeded, failed = j.Failed, answered = j.Answered, invocations = j.Invocations, estimatedUsd = j.EstimatedUsd, bytes = j.Bytes });
            await Context.Out.WriteLineAsync(JsonSerializer.Serialize(rows, Json)).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        if (jobs.Count == 0)
        {
            await Context.Error.WriteLineAsync($"No jobs in {store.Storage.Describe}.").ConfigureAwait(false);
            return ExitCodes.Success;
        }
        if (Context.Interactive)
        {
            var table = new Table().AddColumns("job", "when", "function", "calls", "succeeded", "failed", "invocations", "cost (USD, est.)", "bytes");
            foreach (JobStore.Summary job in jobs)
                table.AddRow(job.Id, job.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"), Markup.Escape(job.Function ?? "?"), job.Calls.ToString(),
                    Progress(job), job.Failed is > 0 ? $"[red]{job.Failed}[/]" : job.Failed?.ToString() ?? "",
                    job.Invocations?.ToString() ?? "", Cost(job.EstimatedUsd), Durations.Bytes(job.Bytes));
            AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Context.Out) }).Write(table);
            return ExitCodes.Success;
        }
        await Context.Out.WriteLineAsync("job\twhen\tfunction\tcalls\tsucceeded\tfailed\tinvocations\tcost_usd_estimate\tbytes").ConfigureAwait(false);
        foreach (JobStore.Summary job in jobs)
            await Context.Out.WriteLineAsync($"{job.Id}\t{job.CreatedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\t{job.Function}\t{job.Calls}\t{Progress(job)}\t{job.Failed?.ToString() ?? ""}\t{job.Invocations?.ToString() ?? ""}\t{Cost(job.EstimatedUsd)}\t{job.Bytes}").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>What the succeeded column says: the count, or for a job still running how far it has got, if known.</summary>
    private static string Progress(JobStore.Summary job) =>
        job.Succeeded?.ToString() ?? (job.Answered is { } answered ? $"running ({answered}/{job.Calls} answered)" : "running");

    /// <summary>An estimate in dollars, with enough digits for the fractions of a cent most Maps cost.</summary>
    private static string Cost(double? usd) => usd?.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
