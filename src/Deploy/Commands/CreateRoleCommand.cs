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
    private readonly Option<string[]> _dataBuckets = new("--data-bucket")
    {
        Description = "Another bucket the workers may read and write (repeat for more; given, they replace those recorded; default: those recorded)",
        AllowMultipleArgumentsPerToken = false,
    };

    public CreateRoleCommand(CommandContext context) : base("create-role", "Create or update the execution role of Wren's workers", context)
    {
        Add(_name);
        Add(_dataBuckets);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        WrenConfigFile config = Context.RequireConfig();
        AwsContext aws = Context.Aws(config.Region);
        string function = config.Function ?? WrenConfiguration.DefaultFunction;
        string roleName = parse.GetValue(_name) ?? $"{function}-role";
        CallerIdentity identity = await CallerIdentity.GetAsync(aws, cancellationToken).ConfigureAwait(false);

        using var iam = new IamClient(aws);
        string trust = RolePolicies.Trust("lambda.amazonaws.com");
        IamClient.Role role = await iam.GetRoleAsync(roleName, cancellationToken).ConfigureAwait(false) is { } existing
            ? existing
            : await iam.CreateRoleAsync(roleName, trust, "Runs Wren's workers (created by `wren create-role`)", cancellationToken).ConfigureAwait(false);
        await iam.UpdateAssumeRolePolicyAsync(roleName, trust, cancellationToken).ConfigureAwait(false);
        string[] dataBuckets = parse.GetValue(_dataBuckets) is { Length: > 0 } given ? [.. given.Select(Bucket).Distinct(StringComparer.Ordinal)] : config.DataBuckets ?? [];
        string access = RolePolicies.Access(RolePolicies.PartitionOf(identity.Arn), identity.Account, aws.Region, config.Bucket!, dataBuckets, function);
        await iam.PutRolePolicyAsync(roleName, RolePolicies.AccessPolicyName, access, cancellationToken).ConfigureAwait(false);

        (config with { RoleArn = role.Arn, DataBuckets = dataBuckets.Length > 0 ? dataBuckets : null }).Write(Context.ConfigPath);
        await Context.Out.WriteLineAsync(role.Arn).ConfigureAwait(false);
        string buckets = string.Join(", ", new[] { config.Bucket! }.Concat(dataBuckets).Select(b => $"s3://{b}"));
        await Context.Error.WriteLineAsync($"Role {roleName} may read and write {buckets} and use the logs of {function}; recorded in {Context.ConfigPath}. Next: `wren deploy-lambda`.").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>A bucket's name, from a name or an <c>s3://bucket</c> location.</summary>
    private static string Bucket(string given)
    {
        string name = given.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) ? given[5..].TrimEnd('/') : given;
        if (name.Length is < 3 or > 63 || name.Contains('/') || name.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-')))
            throw new WrenException($"--data-bucket '{given}' is not a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens (no key).");
        return name;
    }
}
