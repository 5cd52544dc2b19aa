using Wren.Aws;
using Wren.Configuration;
using Wren.Jobs;
using Wren.Storage;

namespace Wren.Deploy;

/// <summary>
/// What a command runs against: the environment, where to write, the config file, the clock. Tests build one of
/// their own to run whole command lines in-process.
/// </summary>
internal sealed class CommandContext
{
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
    public TextWriter Out { get; init; } = Console.Out;
    public TextWriter Error { get; init; } = Console.Error;
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Whether the output is a terminal (colours and live progress only then).</summary>
    public bool Interactive { get; init; } = !Console.IsOutputRedirected;

    public string ConfigPath => Environment("WREN_CONFIG") is { Length: > 0 } path ? path : WrenConfigFile.DefaultPath;

    public WrenConfigFile ReadConfig() => WrenConfigFile.Read(ConfigPath) ?? new WrenConfigFile();

    /// <summary>The config file, which must name a bucket; otherwise the user is told to create it.</summary>
    public WrenConfigFile RequireConfig()
    {
        WrenConfigFile config = ReadConfig();
        if (string.IsNullOrEmpty(config.Bucket))
            throw new WrenException($"No Wren configuration with a bucket at {ConfigPath}: run `wren create-config --bucket <bucket>` first.");
        return config;
    }

    public AwsContext Aws(string? region) => AwsContext.FromEnvironment(region, Time, Environment);

    public WrenConfiguration ExecutorConfiguration(WrenOptions? options = null) => WrenConfiguration.Resolve(options, Environment);

    /// <summary>The jobs in the configured storage: the local folder, or the bucket of the AWS backends. The caller disposes the store, which closes the storage.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The store owns the storage (ownsStorage: true).")]
    public JobStore Jobs()
    {
        WrenConfiguration configuration = ExecutorConfiguration();
        if (configuration.Backend == WrenBackend.Local) return new JobStore(new FileStorage(configuration.StoragePath), configuration.Prefix, ownsStorage: true);
        string bucket = configuration.Bucket ?? throw new WrenException("No bucket is configured: run `wren create-config --bucket <bucket>`, or set WREN_BACKEND=local for local jobs.");
        return new JobStore(new S3Storage(bucket, Aws(configuration.Region)), configuration.Prefix, ownsStorage: true);
    }
}
