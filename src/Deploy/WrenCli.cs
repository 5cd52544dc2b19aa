using System.CommandLine;
using Wren.Deploy.Commands;

namespace Wren.Deploy;

/// <summary>The <c>wren</c> command line.</summary>
internal static class WrenCli
{
    public static RootCommand Build(CommandContext context) => new("wren: set up, deploy and inspect Wren on AWS")
    {
        new CreateConfigCommand(context),
        new CreateRoleCommand(context),
        new DeployLambdaCommand(context),
        new DeployBatchCommand(context),
        new DeleteLambdaCommand(context),
        new DeleteRoleCommand(context),
        new PlotCommand(context),
        new TestCommand(context),
        new LogsCommand(context),
        new JobsCommand(context),
        new CleanupCommand(context),
    };

    public static async Task<int> RunAsync(string[] args, CommandContext context, CancellationToken cancellationToken = default)
    {
        ParseResult parse = Build(context).Parse(args);
        var invocation = new InvocationConfiguration { Output = context.Out, Error = context.Error };
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) await context.Error.WriteLineAsync($"wren: {error.Message}").ConfigureAwait(false);
            await context.Error.WriteLineAsync("Run `wren --help` for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }
}
