using System.CommandLine;

namespace Wren.Deploy;

/// <summary>
/// The base of each <c>wren</c> command: runs its work and turns failures into one line on stderr and an exit code,
/// never a stack trace.
/// </summary>
internal abstract class WrenCommand : Command
{
    protected WrenCommand(string name, string description, CommandContext context) : base(name, description)
    {
        Context = context;
        SetAction(RunAsync);
    }

    protected CommandContext Context { get; }

    protected abstract Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken);

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        try
        {
            return await ExecuteAsync(parse, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Context.Error.WriteLineAsync("wren: cancelled").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (WrenException e)
        {
            await Context.Error.WriteLineAsync($"wren {Name}: {OneLine(e.Message)}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        catch (Exception e)
        {
            await Context.Error.WriteLineAsync($"wren {Name}: unexpected {e.GetType().Name}: {OneLine(e.Message)} (please report this)").ConfigureAwait(false);
            return ExitCodes.Internal;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
