using System.CommandLine;
using System.Diagnostics;
using Wren.Deploy.Progress;

namespace Wren.Deploy.Commands;

/// <summary><c>wren test</c>: runs a small Map on the configured backend and prints its results and timings.</summary>
internal sealed class TestCommand : WrenCommand
{
    private readonly Option<int> _calls = new("--calls") { Description = "How many calls (default: 10)", DefaultValueFactory = _ => 10 };

    public TestCommand(CommandContext context) : base("test", "Run a small Map on the configured backend", context)
    {
        Add(_calls);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The executor owns the backend it is given and disposes it.")]
    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        int calls = parse.GetValue(_calls);
        if (calls < 1) throw new WrenException($"--calls is {calls}; it must be at least 1.");
        WrenExecutor executor = WrenExecutor.Create(Context.ExecutorConfiguration(), Backends.BackendFactory.Create(Context.ExecutorConfiguration()));
        await using System.Runtime.CompilerServices.ConfiguredAsyncDisposable disposeExecutor = executor.ConfigureAwait(false);
        await Context.Error.WriteLineAsync($"Running {calls} calls on the {executor.Backend.ToString().ToLowerInvariant()} backend...").ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var display = new MapProgressDisplay(Context.Error, Context.Interactive);
        FutureList<string> futures = executor.Map((int x) => $"{x} squared is {x * x}, from {Environment.MachineName}", Enumerable.Range(1, calls), new MapOptions { Progress = display.Progress }, cancellationToken);
        string[] results = await display.ShowAsync("wren test", futures.GetResultsAsync(cancellationToken)).ConfigureAwait(false);
        TimeSpan total = clock.Elapsed;
        foreach ((Future<string> future, string result) in futures.Zip(results))
        {
            FutureStats stats = future.Stats;
            string run = stats.Duration is { } duration ? $"{duration.TotalMilliseconds:0.0} ms" : "?";
            await Context.Out.WriteLineAsync($"{future.InputIndex,4}  {result}  [{stats.WorkerId}, {(stats.ColdStart == true ? "cold" : "warm")}, ran {run}]").ConfigureAwait(false);
        }
        await Context.Out.WriteLineAsync($"{calls} calls in {total.TotalMilliseconds:0} ms.").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
