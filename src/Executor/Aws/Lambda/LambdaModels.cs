using System.Text.Json.Serialization;

namespace Wren.Aws.Lambda;

// The parts of the Lambda API's JSON shapes that Wren uses, with the API's own property names.

internal sealed record FunctionCode
{
    public string? S3Bucket { get; init; }
    public string? S3Key { get; init; }
    public string? ZipFile { get; init; }
}

internal sealed record FunctionEnvironment
{
    public Dictionary<string, string> Variables { get; init; } = [];
}

internal sealed record CreateFunctionRequest
{
    public required string FunctionName { get; init; }
    public required string Runtime { get; init; }
    public required string Role { get; init; }
    public required string Handler { get; init; }
    public required FunctionCode Code { get; init; }
    public string? Description { get; init; }
    public int? MemorySize { get; init; }
    public int? Timeout { get; init; }
    public string[]? Architectures { get; init; }
    public FunctionEnvironment? Environment { get; init; }
    public string PackageType { get; init; } = "Zip";
}

internal sealed record UpdateFunctionConfigurationRequest
{
    [JsonIgnore] public string FunctionName { get; init; } = "";
    public string? Runtime { get; init; }
    public string? Role { get; init; }
    public string? Handler { get; init; }
    public string? Description { get; init; }
    public int? MemorySize { get; init; }
    public int? Timeout { get; init; }
    public FunctionEnvironment? Environment { get; init; }
}

internal sealed record FunctionConfiguration
{
    public string FunctionName { get; init; } = "";
    public string? FunctionArn { get; init; }
    public string? Runtime { get; init; }
    public string? Role { get; init; }
    public string? Handler { get; init; }
    public string? Description { get; init; }
    public int? MemorySize { get; init; }
    public int? Timeout { get; init; }
    public long? CodeSize { get; init; }
    public string[]? Architectures { get; init; }
    public FunctionEnvironment? Environment { get; init; }
    public string? State { get; init; }
    public string? StateReason { get; init; }
    public string? LastUpdateStatus { get; init; }
    public string? LastUpdateStatusReason { get; init; }
}

internal sealed record EventInvokeConfig
{
    public string? FunctionArn { get; init; }
    public int? MaximumRetryAttempts { get; init; }
    public int? MaximumEventAgeInSeconds { get; init; }
}

internal enum InvocationType
{
    RequestResponse,
    Event,
}

/// <summary>What Invoke returned: the status, the function's error kind if it failed, its log tail, and the payload.</summary>
internal sealed record InvokeResult(int StatusCode, string? FunctionError, string? LogTail, byte[] Payload);
