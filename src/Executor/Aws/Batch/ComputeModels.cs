namespace Wren.Aws.Batch;

// The parts of the Batch API's compute environment and job queue shapes that Wren uses, with the API's property names.

/// <summary>The values of a compute environment's or job queue's state, and of its status.</summary>
internal static class BatchState
{
    public const string Enabled = "ENABLED";
    public const string Disabled = "DISABLED";

    public const string Creating = "CREATING";
    public const string Updating = "UPDATING";
    public const string Deleting = "DELETING";
    public const string Deleted = "DELETED";
    public const string Valid = "VALID";
    public const string Invalid = "INVALID";
}

/// <summary>
/// What a managed compute environment runs on. <see cref="Type"/> is FARGATE, FARGATE_SPOT, EC2 or SPOT; the EC2 kinds
/// also take instance types, minvCpus and an instance role (an instance profile's name or ARN).
/// </summary>
internal sealed record ComputeResources
{
    public const string Fargate = "FARGATE";
    public const string FargateSpot = "FARGATE_SPOT";
    public const string Ec2 = "EC2";
    public const string Spot = "SPOT";

    public required string Type { get; init; }
    public required int MaxvCpus { get; init; }
    public int? MinvCpus { get; init; }
    public int? DesiredvCpus { get; init; }
    public List<string>? InstanceTypes { get; init; }
    public string? AllocationStrategy { get; init; }
    public string? InstanceRole { get; init; }
    public List<string> Subnets { get; init; } = [];
    public List<string> SecurityGroupIds { get; init; } = [];
    public Dictionary<string, string>? Tags { get; init; }
}

internal sealed record CreateComputeEnvironmentRequest
{
    public required string ComputeEnvironmentName { get; init; }

    /// <summary>MANAGED: Batch scales the resources itself.</summary>
    public string Type { get; init; } = "MANAGED";

    /// <summary>ENABLED or DISABLED.</summary>
    public string State { get; init; } = BatchState.Enabled;

    public required ComputeResources ComputeResources { get; init; }

    /// <summary>Null for Batch's service-linked role, which AWS creates on first use.</summary>
    public string? ServiceRole { get; init; }

    public Dictionary<string, string>? Tags { get; init; }
}

/// <summary>What in a compute environment's resources an update may change.</summary>
internal sealed record ComputeResourceUpdate
{
    public int? MaxvCpus { get; init; }
    public int? MinvCpus { get; init; }
    public int? DesiredvCpus { get; init; }
    public List<string>? Subnets { get; init; }
    public List<string>? SecurityGroupIds { get; init; }
}

internal sealed record UpdateComputeEnvironmentRequest
{
    /// <summary>The compute environment's name or ARN.</summary>
    public required string ComputeEnvironment { get; init; }

    public string? State { get; init; }
    public ComputeResourceUpdate? ComputeResources { get; init; }
    public string? ServiceRole { get; init; }
}

/// <summary>What CreateComputeEnvironment and UpdateComputeEnvironment return.</summary>
internal sealed record ComputeEnvironmentResult
{
    public string ComputeEnvironmentName { get; init; } = "";
    public string ComputeEnvironmentArn { get; init; } = "";
}

/// <summary>A compute environment as DescribeComputeEnvironments gives it; jobs run on it once its status is VALID.</summary>
internal sealed record ComputeEnvironmentDetail
{
    public string ComputeEnvironmentName { get; init; } = "";
    public string ComputeEnvironmentArn { get; init; } = "";
    public string? Type { get; init; }
    public string? State { get; init; }
    public string? Status { get; init; }
    public string? StatusReason { get; init; }
    public ComputeResources? ComputeResources { get; init; }
    public string? ServiceRole { get; init; }
    public string? EcsClusterArn { get; init; }
    public Dictionary<string, string>? Tags { get; init; }
}

/// <summary>A compute environment (name or ARN) a queue sends jobs to, lowest order first.</summary>
internal sealed record ComputeEnvironmentOrder
{
    public required int Order { get; init; }
    public required string ComputeEnvironment { get; init; }
}

internal sealed record CreateJobQueueRequest
{
    public required string JobQueueName { get; init; }

    /// <summary>Among queues that share compute environments, the higher priority is scheduled first.</summary>
    public required int Priority { get; init; }

    public required List<ComputeEnvironmentOrder> ComputeEnvironmentOrder { get; init; }

    /// <summary>ENABLED or DISABLED.</summary>
    public string State { get; init; } = BatchState.Enabled;

    public Dictionary<string, string>? Tags { get; init; }
}

internal sealed record UpdateJobQueueRequest
{
    /// <summary>The queue's name or ARN.</summary>
    public required string JobQueue { get; init; }

    public string? State { get; init; }
    public int? Priority { get; init; }
    public List<ComputeEnvironmentOrder>? ComputeEnvironmentOrder { get; init; }
}

/// <summary>What CreateJobQueue and UpdateJobQueue return.</summary>
internal sealed record JobQueueResult
{
    public string JobQueueName { get; init; } = "";
    public string JobQueueArn { get; init; } = "";
}

/// <summary>A job queue as DescribeJobQueues gives it.</summary>
internal sealed record JobQueueDetail
{
    public string JobQueueName { get; init; } = "";
    public string JobQueueArn { get; init; } = "";
    public string? State { get; init; }
    public string? Status { get; init; }
    public string? StatusReason { get; init; }
    public int Priority { get; init; }
    public List<ComputeEnvironmentOrder>? ComputeEnvironmentOrder { get; init; }
    public Dictionary<string, string>? Tags { get; init; }
}

/// <summary>What a create-or-update did: the resource's name and ARN, and whether it was created now.</summary>
internal sealed record EnsuredResource(string Name, string Arn, bool Created);
