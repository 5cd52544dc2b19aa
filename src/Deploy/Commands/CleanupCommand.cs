using System.CommandLine;
using Wren.Jobs;

namespace Wren.Deploy.Commands;

/// <summary><c>wren cleanup</c>: deletes job data, and code no remaining job uses; says how much it removed.</summary>
internal sealed class CleanupCommand : WrenCommand
{
    private static readonly TimeSpan CodeGrace = TimeSpan.FromHours(1);

    private readonly Option<string?> _job = new("--job") { Description = "Delete this job" };
    private readonly Option<string?> _olderThan = new("--older-than") { Description = "Delete jobs older than this, such as 7d or 12h" };
    private readonly Option<bool> _all = new("--all") { Description = "Delete every job" };

    public CleanupCommand(CommandContext context) : base("cleanup", "Delete job data (and code no remaining job uses)", context)
    {
        Add(_job);
        Add(_olderThan);
        Add(_all);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string? jobId = parse.GetValue(_job);
        string? olderThan = parse.GetValue(_olderThan);
        bool all = parse.GetValue(_all);
        if ((jobId is null ? 0 : 1) + (olderThan is null ? 0 : 1) + (all ? 1 : 0) != 1)
            throw new WrenException("say what to delete: exactly one of --job ID, --older-than 7d, --all.");

        using JobStore store = Context.Jobs();
        DateTimeOffset now = Context.Time.GetUtcNow();
        IReadOnlyList<JobStore.Summary> jobs = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<JobStore.Summary> doomed = jobId is not null
            ? [await store.FindAsync(jobId, cancellationToken).ConfigureAwait(false)]
            : olderThan is not null
                ? [.. jobs.Where(j => now - j.CreatedAt > Durations.Parse(olderThan, "--older-than"))]
                : jobs;

        long jobBytes = await store.DeleteAsync(doomed, cancellationToken).ConfigureAwait(false);
        var doomedIds = doomed.Select(j => j.Id).ToHashSet();
        JobStore.Summary[] remaining = [.. jobs.Where(j => !doomedIds.Contains(j.Id))];
        (int codeFiles, long codeBytes) = await store.DeleteUnusedCodeAsync(remaining, CodeGrace, now, cancellationToken).ConfigureAwait(false);
        await Context.Out.WriteLineAsync($"Removed {doomed.Count} job{(doomed.Count == 1 ? "" : "s")} ({Durations.Bytes(jobBytes)}) and {codeFiles} unused code file{(codeFiles == 1 ? "" : "s")} ({Durations.Bytes(codeBytes)}) from {store.Storage.Describe}; {remaining.Length} job{(remaining.Length == 1 ? "" : "s")} remain.").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
