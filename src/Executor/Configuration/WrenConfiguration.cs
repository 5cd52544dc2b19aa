namespace Wren.Configuration;

/// <summary>The settings an executor runs with, after options, environment, config file and defaults are combined.</summary>
internal sealed record WrenConfiguration
{
    public required WrenBackend Backend { get; init; }
    public required string StoragePath { get; init; }

    /// <summary>The local backend's data store (the folder behind <c>WrenExecutor.Storage</c>).</summary>
    public required string DataPath { get; init; }
    public string? Bucket { get; init; }
    public required string Prefix { get; init; }
    public required string Function { get; init; }

    /// <summary>
    /// The functions deployed per memory size (from the config file), or null when only <see cref="Function"/> is
    /// known: a function named by WrenOptions or WREN_FUNCTION is the only one used.
    /// </summary>
    public IReadOnlyList<LambdaFunctionSize>? LambdaFunctions { get; init; }
    public string? Region { get; init; }
    public required int LocalWorkers { get; init; }
    public int? MemoryMb { get; init; }
    public TimeSpan? Timeout { get; init; }
    public required TimeProvider Time { get; init; }

    /// <summary>Where the executor's events go (WrenOptions.LoggerFactory); nowhere by default.</summary>
    public Microsoft.Extensions.Logging.ILogger Logger { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>Where Batch work goes, once <c>wren deploy-batch</c> has set it up; otherwise null.</summary>
    public Backends.Batch.BatchTargets? Batch { get; init; }

    public const string DefaultPrefix = "wren";
    public const string DefaultFunction = "wren-runtime";

    public static string DefaultStoragePath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".wren", "local");

    public static string DefaultDataPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".wren", "data");

    /// <summary>Options win over the environment, which wins over the config file, which wins over defaults.</summary>
    public static WrenConfiguration Resolve(WrenOptions? options, Func<string, string?>? environment = null)
    {
        options ??= new WrenOptions();
        environment ??= Environment.GetEnvironmentVariable;
        string configPath = options.ConfigPath ?? environment("WREN_CONFIG") ?? WrenConfigFile.DefaultPath;
        WrenConfigFile file = WrenConfigFile.Read(configPath) ?? new WrenConfigFile();

        string? backendText = environment("WREN_BACKEND") ?? file.Backend;
        WrenBackend backend = options.Backend ?? (backendText is null ? WrenBackend.Local : ParseBackend(backendText, configPath));
        string? workersText = environment("WREN_LOCAL_WORKERS");
        int? workers = options.LocalWorkers ?? (workersText is null ? file.LocalWorkers : ParseWorkers(workersText));
        if (workers is < 1) throw new ArgumentException($"LocalWorkers is {workers}; it must be at least 1.");

        string? namedFunction = options.Function ?? environment("WREN_FUNCTION");
        string? storagePath = options.StoragePath ?? environment("WREN_STORAGE_PATH") ?? file.StoragePath;
        return new WrenConfiguration
        {
            Backend = backend,
            StoragePath = storagePath ?? DefaultStoragePath,
            DataPath = options.DataPath ?? environment("WREN_DATA_PATH") ?? file.DataPath
                ?? (storagePath is null ? DefaultDataPath : Path.TrimEndingDirectorySeparator(Path.GetFullPath(storagePath)) + "-data"),
            Bucket = options.Bucket ?? environment("WREN_BUCKET") ?? file.Bucket,
            Prefix = options.Prefix ?? environment("WREN_PREFIX") ?? file.Prefix ?? DefaultPrefix,
            Function = namedFunction ?? file.Function ?? DefaultFunction,
            LambdaFunctions = namedFunction is null && file.LambdaFunctions is { Length: > 0 } sizes ? [.. sizes.OrderBy(s => s.MemoryMb)] : null,
            Region = options.Region ?? environment("AWS_REGION") ?? environment("AWS_DEFAULT_REGION") ?? file.Region,
            LocalWorkers = workers ?? Environment.ProcessorCount,
            MemoryMb = file.MemoryMb,
            Timeout = file.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            Time = options.TimeProvider ?? TimeProvider.System,
            Logger = options.LoggerFactory?.CreateLogger("Wren") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            Batch = file.BatchJobQueue is { } queue && file.BatchJobDefinition is { } definition
                ? new Backends.Batch.BatchTargets(queue, definition, file.BatchGpuJobQueue, file.BatchGpuJobDefinition, file.BatchBundleKey)
                : null,
        };
    }

    private static WrenBackend ParseBackend(string text, string configPath) =>
        Enum.TryParse(text, ignoreCase: true, out WrenBackend backend) && Enum.IsDefined(backend)
            ? backend
            : throw new WrenException($"Backend '{text}' (from WREN_BACKEND or {configPath}) is not one of local, lambda, batch.");

    private static int ParseWorkers(string text) =>
        int.TryParse(text, out int workers) ? workers : throw new WrenException($"WREN_LOCAL_WORKERS is '{text}'; it must be a whole number.");
}
