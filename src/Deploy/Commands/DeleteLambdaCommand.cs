using System.CommandLine;
using Wren.Aws;
using Wren.Aws.Lambda;
using Wren.Configuration;

namespace Wren.Deploy.Commands;

/// <summary><c>wren delete-lambda</c>: deletes the runtime function.</summary>
internal sealed class DeleteLambdaCommand : WrenCommand
{
    public DeleteLambdaCommand(CommandContext context) : base("delete-lambda", "Delete Wren's Lambda function", context) { }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        WrenConfigFile config = Context.ReadConfig();
        string function = config.Function ?? WrenConfiguration.DefaultFunction;
        var lambda = new LambdaClient(Context.Aws(config.Region));
        if (await lambda.GetFunctionConfigurationAsync(function, cancellationToken).ConfigureAwait(false) is null)
        {
            await Context.Out.WriteLineAsync($"Function {function} does not exist; nothing to delete.").ConfigureAwait(false);
            return ExitCodes.Success;
        }
        await lambda.DeleteFunctionAsync(function, cancellationToken).ConfigureAwait(false);
        await Context.Out.WriteLineAsync($"Deleted function {function}.").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
