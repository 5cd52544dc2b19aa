using System.CommandLine;
using Wren.Aws;
using Wren.Backends.Lambda;
using Wren.Configuration;
using Wren.Storage;

namespace Wren.Deploy.Commands;

/// <summary><c>wren create-config</c>: checks the bucket can be reached, then writes <c>~/.wren/config.json</c>.</summary>
internal sealed class CreateConfigCommand : WrenCommand
{
    private readonly Option<string> _bucket = new("--bucket") { Description = "The S3 bucket for code, inputs and results", Required = true };
    private readonly Option<string?> _region = new("--region") { Description = "The AWS region (default: AWS_REGION or your AWS profile's)" };
    private readonly Option<string?> _prefix = new("--prefix") { Description = $"The key prefix in the bucket (default: {WrenConfiguration.DefaultPrefix})" };
    private readonly Option<string?> _function = new("--function") { Description = $"The Lambda function's name (default: {WrenConfiguration.DefaultFunction})" };
    private readonly Option<int?> _memory = new("--memory") { Description = "The function's memory in MB (default: 1024)" };
    private readonly Option<int?> _timeout = new("--timeout") { Description = $"The function's timeout in seconds, at most {LambdaLimits.MaxTimeoutSeconds} (default: {MapOptions.DefaultTimeout.TotalSeconds:0})" };

    public CreateConfigCommand(CommandContext context) : base("create-config", "Check the bucket and write the Wren configuration", context)
    {
        Add(_bucket);
        Add(_region);
        Add(_prefix);
        Add(_function);
        Add(_memory);
        Add(_timeout);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string bucket = parse.GetValue(_bucket)!;
        int? memory = parse.GetValue(_memory);
        int? timeout = parse.GetValue(_timeout);
        var problems = new List<string>();
        if (memory is < LambdaLimits.MinMemoryMb or > LambdaLimits.MaxMemoryMb) problems.Add($"--memory is {memory}; Lambda allows {LambdaLimits.MinMemoryMb} to {LambdaLimits.MaxMemoryMb} MB");
        if (timeout is < 1 or > LambdaLimits.MaxTimeoutSeconds) problems.Add($"--timeout is {timeout}; Lambda allows 1 to {LambdaLimits.MaxTimeoutSeconds} s");
        if (problems.Count > 0) throw new WrenException(string.Join("; ", problems));

        AwsContext aws = Context.Aws(parse.GetValue(_region));
        using (var storage = new S3Storage(bucket, aws))
            await storage.CheckReachableAsync(cancellationToken).ConfigureAwait(false);

        WrenConfigFile existing = Context.ReadConfig();
        var config = existing with
        {
            Backend = "lambda",
            Bucket = bucket,
            Region = aws.Region,
            Prefix = parse.GetValue(_prefix) ?? existing.Prefix ?? WrenConfiguration.DefaultPrefix,
            Function = parse.GetValue(_function) ?? existing.Function ?? WrenConfiguration.DefaultFunction,
            MemoryMb = memory ?? existing.MemoryMb ?? MapOptions.DefaultMemoryMb,
            TimeoutSeconds = timeout ?? existing.TimeoutSeconds ?? (int)MapOptions.DefaultTimeout.TotalSeconds,
        };
        config.Write(Context.ConfigPath);
        await Context.Out.WriteLineAsync($"Wrote {Context.ConfigPath}: bucket s3://{bucket}/{config.Prefix} in {config.Region}, function {config.Function} ({config.MemoryMb} MB, {config.TimeoutSeconds} s).").ConfigureAwait(false);
        await Context.Out.WriteLineAsync("Next: `wren create-role`, then `wren deploy-lambda`.").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
