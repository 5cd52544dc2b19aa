using System.CommandLine;
using Wren.Aws;
using Wren.Aws.Iam;
using Wren.Configuration;

namespace Wren.Deploy.Commands;

/// <summary><c>wren delete-role</c>: deletes the execution role and its inline policies.</summary>
internal sealed class DeleteRoleCommand : WrenCommand
{
    private readonly Option<string?> _name = new("--name") { Description = "The role's name (default: the configured role, or <function>-role)" };

    public DeleteRoleCommand(CommandContext context) : base("delete-role", "Delete the execution role of Wren's workers", context)
    {
        Add(_name);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        WrenConfigFile config = Context.ReadConfig();
        AwsContext aws = Context.Aws(config.Region);
        string roleName = parse.GetValue(_name)
            ?? config.RoleArn?.Split('/')[^1]
            ?? $"{config.Function ?? WrenConfiguration.DefaultFunction}-role";
        using var iam = new IamClient(aws);
        if (await iam.GetRoleAsync(roleName, cancellationToken).ConfigureAwait(false) is null)
        {
            await Context.Out.WriteLineAsync($"Role {roleName} does not exist; nothing to delete.").ConfigureAwait(false);
            return ExitCodes.Success;
        }
        foreach (string policy in await iam.ListRolePoliciesAsync(roleName, cancellationToken).ConfigureAwait(false))
            await iam.DeleteRolePolicyAsync(roleName, policy, cancellationToken).ConfigureAwait(false);
        await iam.DeleteRoleAsync(roleName, cancellationToken).ConfigureAwait(false);
        if (config.RoleArn?.EndsWith($"/{roleName}", StringComparison.Ordinal) == true) (config with { RoleArn = null }).Write(Context.ConfigPath);
        await Context.Out.WriteLineAsync($"Deleted role {roleName}.").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
