using System.Globalization;
using System.Text.Json;
using Wren.Aws.Batch;
using Wren.Aws.Iam;
using Wren.Backends.Batch;
using Wren.Backends.Lambda;
using Wren.Protocol;
using Wren.Timing;

namespace Wren.Deploy.Deployment;

/// <summary>
/// Sets up what the Batch backend runs on: a job role and a task execution role, a Fargate compute environment with its
/// queue and job definition, and with <see cref="Settings.Gpu"/> an EC2 GPU environment with its own. Everything is
/// created or brought up to date in place, and a job definition gets a new revision only when its contents differ, so
/// running it twice is harmless.
/// </summary>
internal sealed class BatchDeployer(BatchClient batch, IamClient iam, TimeProvider time, TextWriter log)
{
    /// <summary>Where Batch containers log by default (the awslogs driver); the job role may write only there.</summary>
    public const string LogGroup = "/aws/batch/job";

    public const string ExecutionRoleSuffix = "-batch-execution-role";
    public const string TasksService = "ecs-tasks.amazonaws.com";
    public const int DefaultMaxvCpus = 256;
    public const double DefaultVcpus = 1;
    public const int DefaultMemoryMb = 2048;
    public const string DefaultInstanceRole = "ecsInstanceRole";
    public static readonly IReadOnlyList<string> DefaultGpuInstanceTypes = ["g4dn.xlarge", "g5.xlarge"];

    public static string TaskExecutionPolicyArn(string partition) => $"arn:{partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

    public sealed record Settings
    {
        /// <summary>The deployment's name (the config file's function), which the roles are named after.</summary>
        public required string Name { get; init; }

        public required string Partition { get; init; }
        public required string Account { get; init; }
        public required string Region { get; init; }
        public required string Bucket { get; init; }
        public required string Prefix { get; init; }

        /// <summary>Buckets besides <see cref="Bucket"/> the jobs may read and write (as recorded by <c>wren create-role</c>).</summary>
        public IReadOnlyCollection<string> DataBuckets { get; init; } = [];
        public required IReadOnlyList<string> Subnets { get; init; }
        public required IReadOnlyList<string> SecurityGroups { get; init; }
        public int MaxvCpus { get; init; } = DefaultMaxvCpus;

        /// <summary>Batch's service role; null for its service-linked role, which AWS creates on first use.</summary>
        public string? ServiceRole { get; init; }

        /// <summary>A custom image with the worker inside; null for the stock image, which fetches the bundle.</summary>
        public string? Image { get; init; }

        public double Vcpus { get; init; } = DefaultVcpus;
        public int MemoryMb { get; init; } = DefaultMemoryMb;
        public bool Gpu { get; init; }
        public IReadOnlyList<string> GpuInstanceTypes { get; init; } = DefaultGpuInstanceTypes;

        /// <summary>The GPU instances' instance profile, by name or ARN.</summary>
        public string InstanceRole { get; init; } = DefaultInstanceRole;
    }

    public sealed record Deployed(string JobRoleArn, string ExecutionRoleArn, EnsuredResource ComputeEnvironment, EnsuredResource JobQueue, string JobDefinitionArn,
        EnsuredResource? GpuComputeEnvironment, EnsuredResource? GpuJobQueue, string? GpuJobDefinitionArn);

    /// <summary>How long a compute environment may take to become VALID.</summary>
    public TimeSpan ValidTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public async Task<Deployed> DeployAsync(Settings settings, CancellationToken cancellationToken)
    {
        ValidateFargateSize(settings.Vcpus, settings.MemoryMb);
        if (settings.Gpu) await RequireInstanceProfileAsync(settings.InstanceRole, cancellationToken).ConfigureAwait(false);
        string jobRole = await EnsureRoleAsync(settings.Name + BatchDeploymentSettings.JobRoleSuffix, "The role of Wren's Batch jobs (created by `wren deploy-batch`)", cancellationToken).ConfigureAwait(false);
        string access = RolePolicies.AccessWithLogGroup(settings.Partition, settings.Account, settings.Region, settings.Bucket, settings.DataBuckets, LogGroup);
        await iam.PutRolePolicyAsync(settings.Name + BatchDeploymentSettings.JobRoleSuffix, RolePolicies.AccessPolicyName, access, cancellationToken).ConfigureAwait(false);
        string executionRole = await EnsureExecutionRoleAsync(settings, cancellationToken).ConfigureAwait(false);

        EnsuredResource environment = await EnsureEnvironmentAsync(new CreateComputeEnvironmentRequest
        {
            ComputeEnvironmentName = BatchDeploymentSettings.ComputeEnvironment,
            ComputeResources = new ComputeResources
            {
                Type = ComputeResources.Fargate,
                MaxvCpus = settings.MaxvCpus,
                Subnets = [.. settings.Subnets],
                SecurityGroupIds = [.. settings.SecurityGroups],
            },
            ServiceRole = settings.ServiceRole,
        }, cancellationToken).ConfigureAwait(false);
        EnsuredResource queue = await EnsureQueueAsync(BatchDeploymentSettings.JobQueue, environment, cancellationToken).ConfigureAwait(false);
        string definition = await RegisterIfChangedAsync(Definition(settings, BatchDeploymentSettings.JobDefinition, jobRole, executionRole, gpu: false), cancellationToken).ConfigureAwait(false);
        if (!settings.Gpu) return new Deployed(jobRole, executionRole, environment, queue, definition, null, null, null);

        EnsuredResource gpuEnvironment = await EnsureEnvironmentAsync(new CreateComputeEnvironmentRequest
        {
            ComputeEnvironmentName = BatchDeploymentSettings.GpuComputeEnvironment,
            ComputeResources = new ComputeResources
            {
                Type = ComputeResources.Ec2,
                MaxvCpus = settings.MaxvCpus,
                MinvCpus = 0,
                InstanceTypes = [.. settings.GpuInstanceTypes],
                // Unlike BEST_FIT, this lets later runs change the subnets and security groups in place.
                AllocationStrategy = "BEST_FIT_PROGRESSIVE",
                InstanceRole = settings.InstanceRole,
                Subnets = [.. settings.Subnets],
                SecurityGroupIds = [.. settings.SecurityGroups],
            },
            ServiceRole = settings.ServiceRole,
        }, cancellationToken).ConfigureAwait(false);
        EnsuredResource gpuQueue = await EnsureQueueAsync(BatchDeploymentSettings.GpuJobQueue, gpuEnvironment, cancellationToken).ConfigureAwait(false);
        string gpuDefinition = await RegisterIfChangedAsync(Definition(settings, BatchDeploymentSettings.GpuJobDefinition, jobRole, executionRole, gpu: true), cancellationToken).ConfigureAwait(false);
        return new Deployed(jobRole, executionRole, environment, queue, definition, gpuEnvironment, gpuQueue, gpuDefinition);
    }

    /// <summary>
    /// The subnets and security groups to run in: those given, else those of the Fargate environment a previous run
    /// created; when there are none, the user is told how to find theirs.
    /// </summary>
    public async Task<(IReadOnlyList<string> Subnets, IReadOnlyList<string> SecurityGroups)> ResolveNetworkAsync(
        IReadOnlyList<string> subnets, IReadOnlyList<string> securityGroups, CancellationToken cancellationToken)
    {
        if (subnets.Count == 0 || securityGroups.Count == 0)
        {
            ComputeResources? existing = (await batch.DescribeComputeEnvironmentsAsync([BatchDeploymentSettings.ComputeEnvironment], cancellationToken).ConfigureAwait(false))
                .FirstOrDefault(e => e.Status != BatchState.Deleted && e.ComputeEnvironmentName == BatchDeploymentSettings.ComputeEnvironment)?.ComputeResources;
            if (subnets.Count == 0 && existing?.Subnets is { Count: > 0 } previousSubnets) subnets = previousSubnets;
            if (securityGroups.Count == 0 && existing?.SecurityGroupIds is { Count: > 0 } previousGroups) securityGroups = previousGroups;
        }
        if (subnets.Count > 0 && securityGroups.Count > 0) return (subnets, securityGroups);
        string missing = subnets.Count == 0 && securityGroups.Count == 0 ? "subnets and security groups" : subnets.Count == 0 ? "subnets" : "security groups";
        throw new WrenException($"No {missing} for the compute environment: pass --subnets <subnet-id>,... --security-groups <sg-id>,... " +
            "(find the default VPC's with `aws ec2 describe-subnets --filters Name=default-for-az,Values=true` and `aws ec2 describe-security-groups --filters Name=group-name,Values=default`).");
    }

    /// <summary>Fargate runs only certain sizes; refusing others here beats a job stuck in RUNNABLE.</summary>
    public static void ValidateFargateSize(double vcpus, int memoryMb)
    {
        int[] allowed = vcpus switch
        {
            0.25 => [512, 1024, 2048],
            0.5 => Steps(1024, 4096, 1024),
            1 => Steps(2048, 8192, 1024),
            2 => Steps(4096, 16384, 1024),
            4 => Steps(8192, 30720, 1024),
            8 => Steps(16384, 61440, 4096),
            16 => Steps(32768, 122880, 8192),
            _ => throw new WrenException($"--vcpus is {vcpus.ToString(CultureInfo.InvariantCulture)}; Fargate offers 0.25, 0.5, 1, 2, 4, 8 or 16."),
        };
        if (allowed.Contains(memoryMb)) return;
        string choices = allowed.Length <= 3 ? string.Join(", ", allowed) : $"{allowed[0]} to {allowed[^1]} in steps of {allowed[1] - allowed[0]}";
        throw new WrenException($"--memory is {memoryMb}; with {vcpus.ToString(CultureInfo.InvariantCulture)} vCPU Fargate allows {choices} MB.");
    }

    private static int[] Steps(int from, int to, int step) => [.. Enumerable.Range(0, (to - from) / step + 1).Select(i => from + i * step)];

    private static RegisterJobDefinitionRequest Definition(Settings settings, string name, string jobRole, string executionRole, bool gpu)
    {
        // EC2 takes whole vCPUs only.
        double vcpus = gpu ? Math.Max(1, Math.Ceiling(settings.Vcpus)) : settings.Vcpus;
        List<ResourceRequirement> resources =
        [
            new() { Type = ResourceRequirement.Vcpu, Value = vcpus.ToString(CultureInfo.InvariantCulture) },
            new() { Type = ResourceRequirement.Memory, Value = settings.MemoryMb.ToString(CultureInfo.InvariantCulture) },
        ];
        if (gpu) resources.Add(new() { Type = ResourceRequirement.Gpu, Value = "1" });
        return new RegisterJobDefinitionRequest
        {
            JobDefinitionName = name,
            PlatformCapabilities = [gpu ? RegisterJobDefinitionRequest.Ec2 : RegisterJobDefinitionRequest.Fargate],
            // Wren retries calls itself.
            RetryStrategy = new RetryStrategy { Attempts = 1 },
            ContainerProperties = new ContainerProperties
            {
                Image = settings.Image ?? BatchDeploymentSettings.StockImage,
                Command = [.. settings.Image is null ? BatchDeploymentSettings.StockCommand : BatchDeploymentSettings.CustomCommand],
                JobRoleArn = jobRole,
                ExecutionRoleArn = executionRole,
                ResourceRequirements = resources,
                Environment = [new() { Name = LambdaDeploymentSettings.ProtocolVariable, Value = WrenProtocol.Version.ToString(CultureInfo.InvariantCulture) }],
                // A public IP lets the stock image reach S3 and the registry without a NAT gateway.
                NetworkConfiguration = gpu ? null : new NetworkConfiguration { AssignPublicIp = "ENABLED" },
            },
        };
    }

    private async Task<string> RegisterIfChangedAsync(RegisterJobDefinitionRequest request, CancellationToken cancellationToken)
    {
        string name = request.JobDefinitionName;
        JobDefinition? latest = (await batch.DescribeJobDefinitionsAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false))
            .Where(d => d.JobDefinitionName == name).MaxBy(d => d.Revision);
        if (latest?.ContainerProperties is { } existing
            && Signature(existing, latest.PlatformCapabilities, latest.RetryStrategy) == Signature(request.ContainerProperties, request.PlatformCapabilities, request.RetryStrategy))
        {
            await log.WriteLineAsync($"Job definition {name}:{latest.Revision} is up to date.").ConfigureAwait(false);
            return latest.JobDefinitionArn;
        }
        RegisterJobDefinitionResult registered = await batch.RegisterJobDefinitionAsync(request, cancellationToken).ConfigureAwait(false);
        await log.WriteLineAsync($"Registered job definition {name}:{registered.Revision}.").ConfigureAwait(false);
        return registered.JobDefinitionArn;
    }

    // What Wren sets in a job definition, in an order-independent form; what Batch adds by default is left out.
    private static string Signature(ContainerProperties container, List<string>? platforms, RetryStrategy? retry) => JsonSerializer.Serialize(new
    {
        container.Image,
        container.Command,
        container.JobRoleArn,
        container.ExecutionRoleArn,
        Resources = (container.ResourceRequirements ?? []).Select(r => $"{r.Type}={r.Value}").Order(StringComparer.Ordinal),
        Environment = (container.Environment ?? []).Select(v => $"{v.Name}={v.Value}").Order(StringComparer.Ordinal),
        container.NetworkConfiguration?.AssignPublicIp,
        Platforms = platforms ?? [RegisterJobDefinitionRequest.Ec2],
        Attempts = retry?.Attempts ?? 1,
    });

    private async Task<string> EnsureRoleAsync(string roleName, string description, CancellationToken cancellationToken)
    {
        string trust = RolePolicies.Trust(TasksService);
        IamClient.Role role = await iam.GetRoleAsync(roleName, cancellationToken).ConfigureAwait(false)
            ?? await iam.CreateRoleAsync(roleName, trust, description, cancellationToken).ConfigureAwait(false);
        await iam.UpdateAssumeRolePolicyAsync(roleName, trust, cancellationToken).ConfigureAwait(false);
        return role.Arn;
    }

    private async Task<string> EnsureExecutionRoleAsync(Settings settings, CancellationToken cancellationToken)
    {
        string roleName = settings.Name + ExecutionRoleSuffix;
        string arn = await EnsureRoleAsync(roleName, "Pulls images and writes logs for Wren's Batch jobs (created by `wren deploy-batch`)", cancellationToken).ConfigureAwait(false);
        string policy = TaskExecutionPolicyArn(settings.Partition);
        if (!(await iam.ListAttachedRolePoliciesAsync(roleName, cancellationToken).ConfigureAwait(false)).Contains(policy))
            await iam.AttachRolePolicyAsync(roleName, policy, cancellationToken).ConfigureAwait(false);
        return arn;
    }

    /// <summary>Fails, saying what to do, unless the GPU instances' instance profile exists.</summary>
    public async Task RequireInstanceProfileAsync(string instanceRole, CancellationToken cancellationToken)
    {
        string profile = instanceRole.Contains(":instance-profile/", StringComparison.Ordinal) ? instanceRole[(instanceRole.LastIndexOf('/') + 1)..] : instanceRole;
        if (!await iam.InstanceProfileExistsAsync(profile, cancellationToken).ConfigureAwait(false))
            throw new WrenException($"Instance profile {profile} does not exist; GPU instances need one whose role has AmazonEC2ContainerServiceforEC2Role: create it (Batch's console wizard makes ecsInstanceRole), or pass --instance-role <profile name or ARN>.");
    }

    private async Task<EnsuredResource> EnsureEnvironmentAsync(CreateComputeEnvironmentRequest request, CancellationToken cancellationToken)
    {
        EnsuredResource ensured = await batch.CreateOrUpdateComputeEnvironmentAsync(request, cancellationToken).ConfigureAwait(false);
        await log.WriteLineAsync($"Compute environment {ensured.Name} {(ensured.Created ? "created" : "updated where it differed")}; waiting until it is VALID...").ConfigureAwait(false);
        long started = time.GetTimestamp();
        var pause = Backoff.Fixed(time, TimeSpan.FromSeconds(2));
        while (true)
        {
            IReadOnlyList<ComputeEnvironmentDetail> details = await batch.DescribeComputeEnvironmentsAsync([ensured.Arn], cancellationToken).ConfigureAwait(false);
            ComputeEnvironmentDetail detail = (details.Count > 0 ? details[0] : null)
                ?? throw new WrenException($"Compute environment {ensured.Name} disappeared while it was being set up; run `wren deploy-batch` again.");
            if (detail.Status == BatchState.Valid) return ensured;
            if (detail.Status == BatchState.Invalid)
                throw new WrenException($"Compute environment {ensured.Name} is INVALID: {detail.StatusReason ?? "no reason given"}; fix that (often the subnets, security groups or roles) and run `wren deploy-batch` again.");
            if (time.GetElapsedTime(started) > ValidTimeout)
                throw new WrenException($"Compute environment {ensured.Name} was still {detail.Status} after {ValidTimeout.TotalMinutes:0} minutes; run `wren deploy-batch` again later.");
            await pause.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<EnsuredResource> EnsureQueueAsync(string name, EnsuredResource environment, CancellationToken cancellationToken) =>
        batch.CreateOrUpdateJobQueueAsync(new CreateJobQueueRequest
        {
            JobQueueName = name,
            Priority = 1,
            ComputeEnvironmentOrder = [new ComputeEnvironmentOrder { Order = 1, ComputeEnvironment = environment.Arn }],
        }, cancellationToken);
}
