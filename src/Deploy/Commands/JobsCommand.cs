using System.CommandLine;
using Spectre.Console;
using Wren.Jobs;

namespace Wren.Deploy.Commands;

/// <summary><c>wren jobs</c>: the jobs in storage, newest first: id, when, calls, succeeded, failed, bytes.</summary>
internal sealed class JobsCommand : WrenCommand
{
    public JobsCommand(CommandContext context) : base("jobs", "List the jobs in storage", context) { }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        JobStore store = Context.Jobs();
        IReadOnlyList<JobStore.Summary> jobs = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        if (jobs.Count == 0)
        {
            await Context.Error.WriteLineAsync($"No jobs in {store.Storage.Describe}.").ConfigureAwait(false);
            return ExitCodes.Success;
        }
        if (Context.Interactive)
        {
            var table = new Table().AddColumns("job", "when", "function", "calls", "succeeded", "failed", "bytes");
            foreach (JobStore.Summary job in jobs)
                table.AddRow(job.Id, job.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"), Markup.Escape(job.Function ?? "?"), job.Calls.ToString(),
                    job.Succeeded?.ToString() ?? "running", job.Failed is > 0 ? $"[red]{job.Failed}[/]" : job.Failed?.ToString() ?? "", Durations.Bytes(job.Bytes));
            AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Context.Out) }).Write(table);
            return ExitCodes.Success;
        }
        await Context.Out.WriteLineAsync("job\twhen\tfunction\tcalls\tsucceeded\tfailed\tbytes").ConfigureAwait(false);
        foreach (JobStore.Summary job in jobs)
            await Context.Out.WriteLineAsync($"{job.Id}\t{job.CreatedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\t{job.Function}\t{job.Calls}\t{job.Succeeded?.ToString() ?? "running"}\t{job.Failed?.ToString() ?? ""}\t{job.Bytes}").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
