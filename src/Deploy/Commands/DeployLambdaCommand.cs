using System.CommandLine;
using Wren.Aws;
using Wren.Aws.Lambda;
using Wren.Backends.Lambda;
using Wren.Configuration;
using Wren.Deploy.Deployment;
using Wren.Storage;

namespace Wren.Deploy.Commands;

/// <summary>
/// <c>wren deploy-lambda</c>: creates or updates the Lambda function. By default it deploys the framework-dependent
/// worker this tool carries on the managed <c>dotnet10</c> runtime; <c>--runtime provided.al2023</c> deploys a
/// self-contained one instead.
/// </summary>
internal sealed class DeployLambdaCommand : WrenCommand
{
    private readonly Option<bool> _packageOnly = new("--package-only") { Description = "Write the deployment zip and stop" };
    private readonly Option<string?> _output = new("--output", "-o") { Description = $"Where --package-only writes the zip (default: ./{RuntimePackage.DefaultZipName})" };
    private readonly Option<string?> _zip = new("--zip") { Description = "Deploy this package instead of the one the tool carries (one written by --package-only with the same --runtime)" };
    private readonly Option<string?> _memory = new("--memory")
    {
        Description = "Memory in MB (default: the configured, 1024), or several sizes such as 1024,3008,10240: one function each "
            + "(<function>-<size>mb), and each Map runs on the smallest with the memory it asks for",
    };
    private readonly Option<int?> _timeout = new("--timeout") { Description = "Timeout in seconds (default: the configured, 300)" };
    private readonly Option<string> _runtime = new("--runtime")
    {
        Description = $"{LambdaDeploymentSettings.ManagedRuntime} (the managed .NET 10 runtime, a package of a few MB) or {LambdaDeploymentSettings.CustomRuntime} (self-contained, built from a Wren checkout)",
        DefaultValueFactory = _ => LambdaDeploymentSettings.ManagedRuntime,
    };
    private readonly Option<string> _arch = new("--arch")
    {
        Description = "x86_64 or arm64 (Graviton: cheaper per GB-second)",
        DefaultValueFactory = _ => LambdaDeploymentSettings.DefaultArchitecture,
    };

    public DeployLambdaCommand(CommandContext context) : base("deploy-lambda", "Deploy Wren's worker as the Lambda function", context)
    {
        _runtime.AcceptOnlyFromAmong(LambdaDeploymentSettings.ManagedRuntime, LambdaDeploymentSettings.CustomRuntime);
        _arch.AcceptOnlyFromAmong([.. LambdaDeploymentSettings.Architectures]);
        Add(_packageOnly);
        Add(_output);
        Add(_zip);
        Add(_memory);
        Add(_timeout);
        Add(_runtime);
        Add(_arch);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string runtime = parse.GetValue(_runtime)!;
        string architecture = parse.GetValue(_arch)!;
        if (parse.GetValue(_packageOnly))
        {
            string output = Path.GetFullPath(parse.GetValue(_output) ?? RuntimePackage.DefaultZipName);
            RuntimePackage built = await BuildAsync(runtime, architecture, output, cancellationToken).ConfigureAwait(false);
            await Context.Out.WriteLineAsync(built.ZipPath).ConfigureAwait(false);
            await Context.Error.WriteLineAsync($"{Durations.Bytes(built.Size)}, sha256 {built.Sha256}").ConfigureAwait(false);
            return ExitCodes.Success;
        }

        WrenConfigFile config = Context.RequireConfig();
        string roleArn = config.RoleArn ?? throw new WrenException($"No execution role in {Context.ConfigPath}: run `wren create-role` first.");
        string function = config.Function ?? WrenConfiguration.DefaultFunction;
        int[] sizes = parse.GetValue(_memory) is { } memoryText ? ParseSizes(memoryText) : [config.MemoryMb ?? MapOptions.DefaultMemoryMb];
        int timeout = parse.GetValue(_timeout) ?? config.TimeoutSeconds ?? (int)MapOptions.DefaultTimeout.TotalSeconds;
        if (timeout is < 1 or > LambdaLimits.MaxTimeoutSeconds) throw new WrenException($"--timeout is {timeout}; Lambda allows 1 to {LambdaLimits.MaxTimeoutSeconds} s.");
        // One size keeps the configured name; several are told apart by their sizes.
        LambdaFunctionSize[] functions = sizes.Length == 1
            ? [new LambdaFunctionSize(function, sizes[0])]
            : [.. sizes.Select(size => new LambdaFunctionSize(LambdaFunctionSize.NameFor(function, size), size))];
        AwsContext aws = Context.Aws(config.Region);

        string? temporary = null;
        try
        {
            RuntimePackage package;
            if (parse.GetValue(_zip) is { } zip)
            {
                package = RuntimePackage.FromZip(zip);
            }
            else
            {
                temporary = Path.Combine(Path.GetTempPath(), $"wren-lambda-{Guid.NewGuid():N}.zip");
                package = await BuildAsync(runtime, architecture, temporary, cancellationToken).ConfigureAwait(false);
            }
            using var storage = new S3Storage(config.Bucket!, aws);
            (string key, bool uploaded) = await package.UploadAsync(storage, config.Prefix ?? WrenConfiguration.DefaultPrefix, cancellationToken).ConfigureAwait(false);
            await Context.Error.WriteLineAsync($"Package s3://{config.Bucket}/{key} ({Durations.Bytes(package.Size)}{(uploaded ? "" : ", already there")}).").ConfigureAwait(false);

            using var lambda = new LambdaClient(aws);
            var deployer = new LambdaDeployer(lambda, Context.Time, Context.Error);
            foreach (LambdaFunctionSize each in functions)
            {
                var settings = new LambdaDeployer.Settings(each.Name, roleArn, config.Bucket!, key, each.MemoryMb, timeout) { Runtime = runtime, Architecture = architecture };
                FunctionConfiguration deployed = await deployer.DeployAsync(settings, cancellationToken).ConfigureAwait(false);
                await Context.Out.WriteLineAsync(deployed.FunctionArn ?? each.Name).ConfigureAwait(false);
                await Context.Error.WriteLineAsync($"Function {each.Name} is ready: {deployed.Runtime}, {string.Join(",", deployed.Architectures ?? [architecture])}, {deployed.MemorySize} MB, {deployed.Timeout} s.").ConfigureAwait(false);
            }
            WrenConfigFile updated = config with { MemoryMb = sizes[0], TimeoutSeconds = timeout, LambdaFunctions = functions };
            updated.Write(Context.ConfigPath);
            string[] dropped = [.. Deployed(config).Select(f => f.Name).Except(functions.Select(f => f.Name))];
            if (dropped.Length > 0)
                await Context.Error.WriteLineAsync($"No longer used (still deployed): {string.Join(", ", dropped)}; `wren delete-lambda --function <name>` deletes one.").ConfigureAwait(false);
            await Context.Error.WriteLineAsync(functions.Length == 1
                ? "Try it: `wren test`."
                : $"A Map runs on the smallest of {string.Join(", ", sizes)} MB with the MemoryMb it asks for ({sizes[0]} MB when it asks for none). Try it: `wren test`.").ConfigureAwait(false);
            return ExitCodes.Success;
        }
        finally
        {
            if (temporary is not null) File.Delete(temporary);
        }
    }

    /// <summary>The functions a config records: those deployed per size, or else its one function.</summary>
    internal static LambdaFunctionSize[] Deployed(WrenConfigFile config) =>
        config.LambdaFunctions ?? [new LambdaFunctionSize(config.Function ?? WrenConfiguration.DefaultFunction, config.MemoryMb ?? MapOptions.DefaultMemoryMb)];

    /// <summary>"1024" or "1024,3008,10240": each a size Lambda allows, returned smallest first.</summary>
    private static int[] ParseSizes(string text)
    {
        var sizes = new SortedSet<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int size))
                throw new WrenException($"--memory is '{text}'; give a size in MB, or several separated by commas: --memory 1024,3008,10240.");
            if (size is < LambdaLimits.MinMemoryMb or > LambdaLimits.MaxMemoryMb)
                throw new WrenException($"--memory has {size}; Lambda allows {LambdaLimits.MinMemoryMb} to {LambdaLimits.MaxMemoryMb} MB.");
            sizes.Add(size);
        }
        return [.. sizes];
    }

    private Task<RuntimePackage> BuildAsync(string runtime, string architecture, string output, CancellationToken cancellationToken) =>
        runtime == LambdaDeploymentSettings.CustomRuntime
            ? RuntimePackage.BuildSelfContainedAsync(output, architecture, Context.Error, cancellationToken)
            : Task.FromResult(RuntimePackage.Managed(output));
}
