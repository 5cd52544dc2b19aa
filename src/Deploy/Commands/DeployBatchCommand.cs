using System.CommandLine;
using System.Globalization;
using Wren.Aws;
using Wren.Aws.Batch;
using Wren.Aws.Iam;
using Wren.Backends.Batch;
using Wren.Configuration;
using Wren.Deploy.Deployment;
using Wren.Storage;

namespace Wren.Deploy.Commands;

/// <summary>
/// <c>wren deploy-batch</c>: uploads the worker bundle and creates or updates the roles, compute environments, job
/// queues and job definitions the Batch backend runs on, then records them in the config file.
/// </summary>
internal sealed class DeployBatchCommand : WrenCommand
{
    private readonly Option<string?> _subnets = new("--subnets") { Description = "Subnet ids, comma-separated (default: those of the existing compute environment)" };
    private readonly Option<string?> _securityGroups = new("--security-groups") { Description = "Security group ids, comma-separated (default: those of the existing compute environment)" };
    private readonly Option<int?> _maxVcpus = new("--max-vcpus") { Description = $"The most vCPUs each compute environment runs at once (default: {BatchDeployer.DefaultMaxvCpus})" };
    private readonly Option<double?> _vcpus = new("--vcpus") { Description = $"vCPUs per job: 0.25, 0.5, 1, 2, 4, 8 or 16 (default: {BatchDeployer.DefaultVcpus})" };
    private readonly Option<int?> _memory = new("--memory") { Description = $"Memory per job in MB, as Fargate allows for the vCPUs (default: {BatchDeployer.DefaultMemoryMb})" };
    private readonly Option<string?> _image = new("--image") { Description = "Run this image, with the worker inside (see --dockerfile), instead of the stock image that fetches the bundle" };
    private readonly Option<string?> _serviceRole = new("--service-role") { Description = "Batch's service role ARN (default: Batch's service-linked role)" };
    private readonly Option<bool> _gpu = new("--gpu") { Description = "Also set up an EC2 compute environment, queue and job definition with one GPU per job" };
    private readonly Option<string?> _gpuInstanceTypes = new("--gpu-instance-types") { Description = $"GPU instance types, comma-separated (default: {string.Join(',', BatchDeployer.DefaultGpuInstanceTypes)})" };
    private readonly Option<string?> _instanceRole = new("--instance-role") { Description = $"The GPU instances' instance profile, name or ARN (default: {BatchDeployer.DefaultInstanceRole})" };
    private readonly Option<string?> _bundle = new("--bundle") { Description = "Deploy this worker bundle (a zip from --package-only) instead of the one the tool carries" };
    private readonly Option<bool> _packageOnly = new("--package-only") { Description = "Write the worker bundle and stop" };
    private readonly Option<string?> _output = new("--output", "-o") { Description = $"Where --package-only writes the bundle (default: ./{BatchDeploymentSettings.BundleFileName})" };
    private readonly Option<bool> _dockerfile = new("--dockerfile") { Description = "Print a Dockerfile for an image with the worker inside, and stop" };
    private readonly Option<string?> _baseImage = new("--base-image") { Description = $"The base image of --dockerfile (default: {BatchDeploymentSettings.DockerfileBaseImage}; a CUDA image for GPUs)" };

    public DeployBatchCommand(CommandContext context) : base("deploy-batch", "Set up AWS Batch for Wren: worker bundle, roles, compute environments, queues, job definitions", context)
    {
        Add(_subnets);
        Add(_securityGroups);
        Add(_maxVcpus);
        Add(_vcpus);
        Add(_memory);
        Add(_image);
        Add(_serviceRole);
        Add(_gpu);
        Add(_gpuInstanceTypes);
        Add(_instanceRole);
        Add(_bundle);
        Add(_packageOnly);
        Add(_output);
        Add(_dockerfile);
        Add(_baseImage);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (parse.GetValue(_dockerfile))
        {
            await Context.Out.WriteLineAsync(BatchDeploymentSettings.Dockerfile(parse.GetValue(_baseImage) ?? BatchDeploymentSettings.DockerfileBaseImage)).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        if (parse.GetValue(_packageOnly))
        {
            string output = Path.GetFullPath(parse.GetValue(_output) ?? BatchDeploymentSettings.BundleFileName);
            RuntimePackage built = RuntimePackage.Managed(output);
            await Context.Out.WriteLineAsync(built.ZipPath).ConfigureAwait(false);
            await Context.Error.WriteLineAsync($"{Durations.Bytes(built.Size)}, sha256 {built.Sha256}").ConfigureAwait(false);
            return ExitCodes.Success;
        }

        WrenConfigFile config = Context.RequireConfig();
        string? image = parse.GetValue(_image);
        string? bundlePath = parse.GetValue(_bundle);
        if (image is not null && bundlePath is not null)
            throw new WrenException("--image and --bundle exclude each other: a custom image has the worker inside, so no bundle is deployed with it.");
        int maxvCpus = parse.GetValue(_maxVcpus) ?? BatchDeployer.DefaultMaxvCpus;
        if (maxvCpus < 1) throw new WrenException($"--max-vcpus is {maxvCpus}; give at least 1.");
        double vcpus = parse.GetValue(_vcpus) ?? BatchDeployer.DefaultVcpus;
        int memory = parse.GetValue(_memory) ?? BatchDeployer.DefaultMemoryMb;
        BatchDeployer.ValidateFargateSize(vcpus, memory);
        bool gpu = parse.GetValue(_gpu);
        string[] gpuInstanceTypes = List(parse.GetValue(_gpuInstanceTypes)) is { Length: > 0 } types ? types : [.. BatchDeployer.DefaultGpuInstanceTypes];

        AwsContext aws = Context.Aws(config.Region);
        string prefix = config.Prefix ?? WrenConfiguration.DefaultPrefix;
        using var batch = new BatchClient(aws);
        using var iam = new IamClient(aws);
        var deployer = new BatchDeployer(batch, iam, Context.Time, Context.Error);
        (IReadOnlyList<string> subnets, IReadOnlyList<string> securityGroups) = await deployer.ResolveNetworkAsync(
            List(parse.GetValue(_subnets)), List(parse.GetValue(_securityGroups)), cancellationToken).ConfigureAwait(false);
        string instanceRole = parse.GetValue(_instanceRole) ?? BatchDeployer.DefaultInstanceRole;
        if (gpu) await deployer.RequireInstanceProfileAsync(instanceRole, cancellationToken).ConfigureAwait(false);
        CallerIdentity identity = await CallerIdentity.GetAsync(aws, cancellationToken).ConfigureAwait(false);

        string? bundleKey = null;
        if (image is null) bundleKey = await DeployBundleAsync(config, aws.Region, prefix, bundlePath, cancellationToken).ConfigureAwait(false);

        BatchDeployer.Deployed deployed = await deployer.DeployAsync(new BatchDeployer.Settings
        {
            Name = config.Function ?? WrenConfiguration.DefaultFunction,
            Partition = RolePolicies.PartitionOf(identity.Arn),
            Account = identity.Account,
            Region = aws.Region,
            Bucket = config.Bucket!,
            Prefix = prefix,
            DataBuckets = config.DataBuckets ?? [],
            Subnets = subnets,
            SecurityGroups = securityGroups,
            MaxvCpus = maxvCpus,
            ServiceRole = parse.GetValue(_serviceRole),
            Image = image,
            Vcpus = vcpus,
            MemoryMb = memory,
            Gpu = gpu,
            GpuInstanceTypes = gpuInstanceTypes,
            InstanceRole = instanceRole,
        }, cancellationToken).ConfigureAwait(false);

        // Without --gpu, a GPU setup from an earlier run is left as it is, and so is its record.
        (config with
        {
            BatchJobQueue = deployed.JobQueue.Arn,
            BatchJobDefinition = deployed.JobDefinitionArn,
            BatchGpuJobQueue = deployed.GpuJobQueue?.Arn ?? config.BatchGpuJobQueue,
            BatchGpuJobDefinition = deployed.GpuJobDefinitionArn ?? config.BatchGpuJobDefinition,
            BatchBundleKey = bundleKey,
            BatchImage = image ?? BatchDeploymentSettings.StockImage,
            BatchJobRoleArn = deployed.JobRoleArn,
        }).Write(Context.ConfigPath);

        await Context.Out.WriteLineAsync($"Job queue:          {deployed.JobQueue.Arn}").ConfigureAwait(false);
        await Context.Out.WriteLineAsync($"Job definition:     {deployed.JobDefinitionArn}").ConfigureAwait(false);
        if (deployed.GpuJobQueue is not null)
        {
            await Context.Out.WriteLineAsync($"GPU job queue:      {deployed.GpuJobQueue.Arn}").ConfigureAwait(false);
            await Context.Out.WriteLineAsync($"GPU job definition: {deployed.GpuJobDefinitionArn}").ConfigureAwait(false);
        }
        await Context.Error.WriteLineAsync($"Batch is ready: {vcpus.ToString(CultureInfo.InvariantCulture)} vCPU and {memory} MB per job, at most {maxvCpus} vCPUs; recorded in {Context.ConfigPath}.").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>Builds the bundle (or takes the one given), uploads it unless it is there, and returns its key.</summary>
    private async Task<string> DeployBundleAsync(WrenConfigFile config, string region, string prefix, string? bundlePath, CancellationToken cancellationToken)
    {
        string? temporary = bundlePath is null ? Path.Combine(Path.GetTempPath(), $"wren-worker-{Guid.NewGuid():N}.zip") : null;
        try
        {
            RuntimePackage bundle = temporary is null
                ? RuntimePackage.FromZip(File.Exists(bundlePath) ? bundlePath! : throw new WrenException($"--bundle {bundlePath} does not exist; write one with `wren deploy-batch --package-only -o {bundlePath}`."))
                : RuntimePackage.Managed(temporary);
            using var storage = new S3Storage(config.Bucket!, Context.Aws(region));
            (string key, bool uploaded) = await bundle.UploadAsync(storage, prefix, cancellationToken).ConfigureAwait(false);
            await Context.Error.WriteLineAsync($"Bundle s3://{config.Bucket}/{key} ({Durations.Bytes(bundle.Size)}{(uploaded ? "" : ", already there")}).").ConfigureAwait(false);
            return key;
        }
        finally
        {
            if (temporary is not null) File.Delete(temporary);
        }
    }

    private static string[] List(string? text) =>
        text is null ? [] : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
