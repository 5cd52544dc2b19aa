using System.Text.Json;
using System.Text.Json.Serialization;

namespace Wren.Configuration;

/// <summary>A deployed Lambda function and its memory size.</summary>
internal sealed record LambdaFunctionSize(string Name, int MemoryMb)
{
    /// <summary>The name <c>wren deploy-lambda --memory</c> gives each of several sizes: the configured name and the size.</summary>
    public static string NameFor(string function, int memoryMb) => $"{function}-{memoryMb}mb";
}

/// <summary>The contents of <c>~/.wren/config.json</c>, as <c>wren create-config</c> writes it.</summary>
internal sealed record WrenConfigFile
{
    public string? Backend { get; init; }
    public string? StoragePath { get; init; }
    public string? DataPath { get; init; }
    public string? Bucket { get; init; }
    public string? Prefix { get; init; }
    public string? Function { get; init; }
    public string? Region { get; init; }
    public int? LocalWorkers { get; init; }
    public int? MemoryMb { get; init; }
    public int? TimeoutSeconds { get; init; }
    public string? RoleArn { get; init; }

    /// <summary>
    /// The Lambda functions <c>wren deploy-lambda</c> deployed, one per memory size, smallest first; null when it
    /// deployed only <see cref="Function"/> (a config written before sizes existed, or by hand).
    /// </summary>
    public LambdaFunctionSize[]? LambdaFunctions { get; init; }

    /// <summary>Buckets besides <see cref="Bucket"/> that the workers may read and write (<c>wren create-role --data-bucket</c>).</summary>
    public string[]? DataBuckets { get; init; }

    // What `wren deploy-batch` set up, for the Batch backend.

    /// <summary>The ARN of the job queue of the Fargate compute environment.</summary>
    public string? BatchJobQueue { get; init; }

    /// <summary>The ARN of the job queue of the EC2 GPU compute environment; null unless deployed with <c>--gpu</c>.</summary>
    public string? BatchGpuJobQueue { get; init; }

    /// <summary>The ARN, with its revision, of the Fargate job definition.</summary>
    public string? BatchJobDefinition { get; init; }

    /// <summary>The ARN, with its revision, of the EC2 job definition that asks for one GPU; null unless deployed with <c>--gpu</c>.</summary>
    public string? BatchGpuJobDefinition { get; init; }

    /// <summary>The key in <see cref="Bucket"/> of the worker bundle the stock image fetches; null when the job definitions run a custom image.</summary>
    public string? BatchBundleKey { get; init; }

    /// <summary>The image the job definitions run: the stock image (which fetches the bundle) or a custom one with the worker inside.</summary>
    public string? BatchImage { get; init; }

    /// <summary>The ARN of the role Batch jobs run as (the bucket's prefix and the Batch log group only).</summary>
    public string? BatchJobRoleArn { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static string DefaultPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".wren", "config.json");

    /// <summary>Reads the file, or returns null when there is none.</summary>
    public static WrenConfigFile? Read(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<WrenConfigFile>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new WrenException($"The Wren config file {path} is not valid JSON ({e.Message}); fix it or write it again with `wren create-config`.", e);
        }
    }

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(this, Json));
    }
}
