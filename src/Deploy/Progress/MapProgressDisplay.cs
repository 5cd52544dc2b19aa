using Spectre.Console;

namespace Wren.Deploy.Progress;

/// <summary>
/// Shows a Map's progress while it is awaited: a live bar on a terminal (Spectre.Console), and otherwise a plain line
/// now and then. Give <see cref="Progress"/> to <see cref="MapOptions.Progress"/>, then await <see cref="ShowAsync"/>.
/// </summary>
internal sealed class MapProgressDisplay(TextWriter output, bool interactive, TimeSpan? plainInterval = null)
{
    private readonly TimeSpan _plainInterval = plainInterval ?? TimeSpan.FromSeconds(2);
    private MapProgress? _latest;

    /// <summary>The receiver to put in <see cref="MapOptions.Progress"/>.</summary>
    public IProgress<MapProgress> Progress => new Receiver(this);

    private sealed class Receiver(MapProgressDisplay display) : IProgress<MapProgress>
    {
        public void Report(MapProgress value) => Volatile.Write(ref display._latest, value);
    }

    /// <summary>Shows progress until <paramref name="work"/> completes, then returns its result.</summary>
    public async Task<T> ShowAsync<T>(string title, Task<T> work)
    {
        if (interactive)
        {
            IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
            await console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    ProgressTask bar = context.AddTask(Markup.Escape(title));
                    while (!work.IsCompleted)
                    {
                        Update(bar);
                        await Task.WhenAny(work, Task.Delay(100)).ConfigureAwait(false);
                    }
                    Update(bar);
                }).ConfigureAwait(false);
            return await work.ConfigureAwait(false);
        }
        while (!work.IsCompleted)
        {
            await Task.WhenAny(work, Task.Delay(_plainInterval)).ConfigureAwait(false);
            await WriteLineAsync(title).ConfigureAwait(false);
        }
        return await work.ConfigureAwait(false);
    }

    private void Update(ProgressTask bar)
    {
        if (Volatile.Read(ref _latest) is not { } latest) return;
        bar.MaxValue = Math.Max(1, latest.Total);
        bar.Value = latest.Done + latest.Failed;
        bar.Description = $"{latest.Done + latest.Failed}/{latest.Total} calls, {latest.Running} running{(latest.Failed > 0 ? $", [red]{latest.Failed} failed[/]" : "")}";
    }

    private async Task WriteLineAsync(string title)
    {
        if (Volatile.Read(ref _latest) is not { } latest) return;
        await output.WriteLineAsync($"{title}: {latest.Done + latest.Failed}/{latest.Total} calls done ({latest.Failed} failed), {latest.Running} running").ConfigureAwait(false);
    }
}
