using System.CommandLine;
using Wren.Aws;
using Wren.Aws.Iam;
using Wren.Configuration;
using Wren.Deploy.Deployment;

namespace Wren.Deploy.Commands;

/// <summary><c>wren create-role</c>: creates or updates the workers' execution role and prints its ARN.</summary>
internal sealed class CreateRoleCommand : WrenCommand
{
    private readonly Option<string?> _name = new("--name") { Description = "The role's name (default: <function>-role)" };

    public CreateRoleCommand(CommandContext context) : base("create-role", "Create or update the execution role of Wren's workers", context)
    {
        Add(_name);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        WrenConfigFile config = Context.RequireConfig();
        AwsContext aws = Context.Aws(config.Region);
        string function = config.Function ?? WrenConfiguration.DefaultFunction;
        string roleName = parse.GetValue(_name) ?? $"{function}-role";
        CallerIdentity identity = await CallerIdentity.GetAsync(aws, cancellationToken).ConfigureAwait(false);

        var iam = new IamClient(aws);
        string trust = RolePolicies.Trust("lambda.amazonaws.com");
        IamClient.Role role = await iam.GetRoleAsync(roleName, cancellationToken).ConfigureAwait(false) is { } existing
            ? existing
            : await iam.CreateRoleAsync(roleName, trust, "Runs Wren's workers (created by `wren create-role`)", cancellationToken).ConfigureAwait(false);
        await iam.UpdateAssumeRolePolicyAsync(roleName, trust, cancellationToken).ConfigureAwait(false);
        string access = RolePolicies.Access(RolePolicies.PartitionOf(identity.Arn), identity.Account, aws.Region, config.Bucket!, config.Prefix ?? WrenConfiguration.DefaultPrefix, function);
        await iam.PutRolePolicyAsync(roleName, RolePolicies.AccessPolicyName, access, cancellationToken).ConfigureAwait(false);

        (config with { RoleArn = role.Arn }).Write(Context.ConfigPath);
        await Context.Out.WriteLineAsync(role.Arn).ConfigureAwait(false);
        await Context.Error.WriteLineAsync($"Role {roleName} may use s3://{config.Bucket}/{config.Prefix ?? WrenConfiguration.DefaultPrefix}/ and the logs of {function}; recorded in {Context.ConfigPath}. Next: `wren deploy-lambda`.").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
