using System.CommandLine;
using Wren.Aws;
using Wren.Aws.Lambda;
using Wren.Configuration;
using Wren.Deploy.Deployment;
using Wren.Storage;

namespace Wren.Deploy.Commands;

/// <summary><c>wren deploy-lambda</c>: builds the runtime package and creates or updates the Lambda function.</summary>
internal sealed class DeployLambdaCommand : WrenCommand
{
    private readonly Option<bool> _packageOnly = new("--package-only") { Description = "Write the deployment zip and stop" };
    private readonly Option<string?> _output = new("--output", "-o") { Description = "Where --package-only writes the zip (default: ./wren-runtime-linux-x64.zip)" };
    private readonly Option<string?> _zip = new("--zip") { Description = "Deploy this package instead of building one" };
    private readonly Option<int?> _memory = new("--memory") { Description = "Memory in MB (default: the configured, 1024)" };
    private readonly Option<int?> _timeout = new("--timeout") { Description = "Timeout in seconds (default: the configured, 300)" };

    public DeployLambdaCommand(CommandContext context) : base("deploy-lambda", "Build Wren's runtime and deploy it as the Lambda function", context)
    {
        Add(_packageOnly);
        Add(_output);
        Add(_zip);
        Add(_memory);
        Add(_timeout);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (parse.GetValue(_packageOnly))
        {
            string output = Path.GetFullPath(parse.GetValue(_output) ?? RuntimePackage.BundledZipName);
            RuntimePackage built = await RuntimePackage.BuildAsync(output, Context.Error, cancellationToken).ConfigureAwait(false);
            await Context.Out.WriteLineAsync(built.ZipPath).ConfigureAwait(false);
            await Context.Error.WriteLineAsync($"{built.Size / 1024.0 / 1024.0:0.0} MB, sha256 {built.Sha256}").ConfigureAwait(false);
            return ExitCodes.Success;
        }

        WrenConfigFile config = Context.RequireConfig();
        string roleArn = config.RoleArn ?? throw new WrenException($"No execution role in {Context.ConfigPath}: run `wren create-role` first.");
        string function = config.Function ?? WrenConfiguration.DefaultFunction;
        int memory = parse.GetValue(_memory) ?? config.MemoryMb ?? MapOptions.DefaultMemoryMb;
        int timeout = parse.GetValue(_timeout) ?? config.TimeoutSeconds ?? (int)MapOptions.DefaultTimeout.TotalSeconds;
        if (memory is < 128 or > 10240) throw new WrenException($"--memory is {memory}; Lambda allows 128 to 10240 MB.");
        if (timeout is < 1 or > 900) throw new WrenException($"--timeout is {timeout}; Lambda allows 1 to 900 s.");
        AwsContext aws = Context.Aws(config.Region);

        RuntimePackage package;
        if (parse.GetValue(_zip) is { } zip)
        {
            package = RuntimePackage.FromZip(zip);
        }
        else
        {
            string temporary = Path.Combine(Path.GetTempPath(), $"wren-runtime-{Guid.NewGuid():N}.zip");
            package = await RuntimePackage.BuildAsync(temporary, Context.Error, cancellationToken).ConfigureAwait(false);
        }
        using var storage = new S3Storage(config.Bucket!, aws.Region, environment: Context.Environment);
        string key = await LambdaDeployer.UploadPackageAsync(storage, config.Prefix ?? WrenConfiguration.DefaultPrefix, package, cancellationToken).ConfigureAwait(false);
        await Context.Error.WriteLineAsync($"Package s3://{config.Bucket}/{key} ({package.Size / 1024.0 / 1024.0:0.0} MB).").ConfigureAwait(false);

        var deployer = new LambdaDeployer(new LambdaClient(aws), Context.Time, Context.Error);
        FunctionConfiguration deployed = await deployer.DeployAsync(new LambdaDeployer.Settings(function, roleArn, config.Bucket!, key, memory, timeout), cancellationToken).ConfigureAwait(false);
        if (memory != config.MemoryMb || timeout != config.TimeoutSeconds) (config with { MemoryMb = memory, TimeoutSeconds = timeout }).Write(Context.ConfigPath);
        await Context.Out.WriteLineAsync(deployed.FunctionArn ?? function).ConfigureAwait(false);
        await Context.Error.WriteLineAsync($"Function {function} is ready: {deployed.Runtime}, {deployed.MemorySize} MB, {deployed.Timeout} s. Try it: `wren test`.").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
