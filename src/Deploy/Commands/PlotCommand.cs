using System.CommandLine;
using Wren.Jobs;
using Wren.Plots;

namespace Wren.Deploy.Commands;

/// <summary><c>wren plot</c>: draws a finished job's timeline (each call's wait and run, and how many ran at once) as an SVG.</summary>
internal sealed class PlotCommand : WrenCommand
{
    private readonly Option<string> _job = new("--job") { Description = "The job's id as `wren jobs` lists it; its end (M0003) is enough", Required = true };
    private readonly Option<string?> _output = new("--output", "-o") { Description = "Where to write the SVG (default: <job-id>.svg here)" };

    public PlotCommand(CommandContext context) : base("plot", "Draw a job's timeline as an SVG", context)
    {
        Add(_job);
        Add(_output);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using JobStore jobs = Context.Jobs();
        JobStore.Summary job = await jobs.FindAsync(parse.GetValue(_job)!, cancellationToken).ConfigureAwait(false);
        JobStats stats = await jobs.StatsAsync(job, cancellationToken).ConfigureAwait(false)
            ?? throw new WrenException($"Job {job.Id} has no stats in {jobs.Storage.Describe}: it is still running (they are stored when it ends), or they could not be stored. Try again once it has finished.");
        string title = job.Function is { } function ? $"Job {job.Id}  ·  {function}" : $"Job {job.Id}";
        string path = Path.GetFullPath(parse.GetValue(_output) ?? $"{job.Id}.svg");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, TimelinePlot.Render(stats.Calls(), title), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WrenException($"Could not write {path}: {e.Message} Choose another file with -o.", e);
        }
        await Context.Out.WriteLineAsync(path).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
