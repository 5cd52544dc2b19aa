using System.CommandLine;
using Wren.Aws.Lambda;
using Wren.Configuration;

namespace Wren.Deploy.Commands;

/// <summary><c>wren delete-lambda</c>: deletes the runtime functions the config records (every size), or one named function.</summary>
internal sealed class DeleteLambdaCommand : WrenCommand
{
    private readonly Option<string?> _function = new("--function") { Description = "Delete only this function (default: every one the config records)" };

    public DeleteLambdaCommand(CommandContext context) : base("delete-lambda", "Delete Wren's Lambda functions", context)
    {
        Add(_function);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        WrenConfigFile config = Context.ReadConfig();
        string[] functions = parse.GetValue(_function) is { } named ? [named] : [.. DeployLambdaCommand.Deployed(config).Select(f => f.Name)];
        using var lambda = new LambdaClient(Context.Aws(config.Region));
        foreach (string function in functions)
        {
            if (await lambda.GetFunctionConfigurationAsync(function, cancellationToken).ConfigureAwait(false) is null)
            {
                await Context.Out.WriteLineAsync($"Function {function} does not exist; nothing to delete.").ConfigureAwait(false);
                continue;
            }
            await lambda.DeleteFunctionAsync(function, cancellationToken).ConfigureAwait(false);
            await Context.Out.WriteLineAsync($"Deleted function {function}.").ConfigureAwait(false);
        }
        if (parse.GetValue(_function) is null && config.LambdaFunctions is not null)
            (config with { LambdaFunctions = null }).Write(Context.ConfigPath);
        else if (parse.GetValue(_function) is { } one && config.LambdaFunctions?.Any(f => f.Name == one) == true)
            (config with { LambdaFunctions = config.LambdaFunctions.Where(f => f.Name != one).ToArray() is { Length: > 0 } left ? left : null }).Write(Context.ConfigPath);
        return ExitCodes.Success;
    }
}
