namespace Wren.Aws.Batch;

// The parts of the Batch API's job definition shapes that Wren uses. Property names are the API's, camelCased on the
// wire by BatchClient's serializer options.

/// <summary>An environment variable of a container (the API's KeyValuePair).</summary>
internal sealed record EnvironmentVariable
{
    public string Name { get; init; } = "";
    public string Value { get; init; } = "";
}

/// <summary>How much of a resource a container gets: <see cref="Type"/> is VCPU, MEMORY (MiB) or GPU; the value is a string, as the API has it ("0.25", "2048", "1").</summary>
internal sealed record ResourceRequirement
{
    public const string Vcpu = "VCPU";
    public const string Memory = "MEMORY";
    public const string Gpu = "GPU";

    public required string Type { get; init; }
    public required string Value { get; init; }
}

/// <summary>Fargate only: whether the task gets a public IP (ENABLED or DISABLED), which it needs to pull images without a NAT gateway.</summary>
internal sealed record NetworkConfiguration
{
    public string? AssignPublicIp { get; init; }
}

/// <summary>Fargate only: the platform version, such as LATEST or 1.4.0.</summary>
internal sealed record FargatePlatformConfiguration
{
    public string? PlatformVersion { get; init; }
}

/// <summary>Fargate only: the operating system family (LINUX) and CPU architecture (X86_64 or ARM64).</summary>
internal sealed record RuntimePlatform
{
    public string? OperatingSystemFamily { get; init; }
    public string? CpuArchitecture { get; init; }
}

/// <summary>Fargate only: the task's ephemeral storage in GiB (21 to 200; 20 when not set).</summary>
internal sealed record EphemeralStorage
{
    public required int SizeInGiB { get; init; }
}

/// <summary>The container a job runs: image, command, roles, resources and environment.</summary>
internal sealed record ContainerProperties
{
    public string Image { get; init; } = "";
    public List<string>? Command { get; init; }
    public string? JobRoleArn { get; init; }
    public string? ExecutionRoleArn { get; init; }
    public List<ResourceRequirement>? ResourceRequirements { get; init; }
    public List<EnvironmentVariable>? Environment { get; init; }
    public NetworkConfiguration? NetworkConfiguration { get; init; }
    public FargatePlatformConfiguration? FargatePlatformConfiguration { get; init; }
    public RuntimePlatform? RuntimePlatform { get; init; }
    public EphemeralStorage? EphemeralStorage { get; init; }
}

/// <summary>How many times Batch runs a job that fails (1 to 10; 1 means no retry).</summary>
internal sealed record RetryStrategy
{
    public int? Attempts { get; init; }
}

/// <summary>How long one attempt may run before Batch stops it (at least 60 seconds).</summary>
internal sealed record JobTimeout
{
    public int? AttemptDurationSeconds { get; init; }
}

internal sealed record RegisterJobDefinitionRequest
{
    public const string Fargate = "FARGATE";
    public const string Ec2 = "EC2";

    public required string JobDefinitionName { get; init; }
    public string Type { get; init; } = "container";
    public required ContainerProperties ContainerProperties { get; init; }

    /// <summary>["FARGATE"] or ["EC2"]; EC2 when not set.</summary>
    public List<string>? PlatformCapabilities { get; init; }

    public RetryStrategy? RetryStrategy { get; init; }
    public JobTimeout? Timeout { get; init; }
    public Dictionary<string, string>? Parameters { get; init; }
    public Dictionary<string, string>? Tags { get; init; }
}

/// <summary>What RegisterJobDefinition returned: each registration of a name makes a new revision.</summary>
internal sealed record RegisterJobDefinitionResult
{
    public string JobDefinitionName { get; init; } = "";
    public string JobDefinitionArn { get; init; } = "";
    public int Revision { get; init; }
}

/// <summary>A revision of a job definition as DescribeJobDefinitions gives it; status is ACTIVE or INACTIVE.</summary>
internal sealed record JobDefinition
{
    public string JobDefinitionName { get; init; } = "";
    public string JobDefinitionArn { get; init; } = "";
    public int Revision { get; init; }
    public string? Status { get; init; }
    public string? Type { get; init; }
    public ContainerProperties? ContainerProperties { get; init; }
    public List<string>? PlatformCapabilities { get; init; }
    public RetryStrategy? RetryStrategy { get; init; }
    public JobTimeout? Timeout { get; init; }
    public Dictionary<string, string>? Parameters { get; init; }
    public Dictionary<string, string>? Tags { get; init; }
}
