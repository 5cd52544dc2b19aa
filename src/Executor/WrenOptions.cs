namespace Wren;

/// <summary>
/// How an executor is set up. Each property left null comes from the environment (<c>WREN_*</c> variables), then from
/// the config file (<c>~/.wren/config.json</c>, or <c>WREN_CONFIG</c>), then from the default given here.
/// </summary>
public sealed class WrenOptions
{
    /// <summary>Where calls run (<c>WREN_BACKEND</c>: local, lambda or batch). Default: local.</summary>
    public WrenBackend? Backend { get; init; }

    /// <summary>The local backend's storage folder (<c>WREN_STORAGE_PATH</c>). Default: <c>~/.wren/local</c>.</summary>
    public string? StoragePath { get; init; }

    /// <summary>
    /// The local backend's data store, the folder behind <see cref="WrenExecutor.Storage"/> (default: <c>~/.wren/data</c>,
    /// or <c>&lt;StoragePath&gt;-data</c> beside a storage folder that was set; also <c>WREN_DATA_PATH</c>).
    /// </summary>
    public string? DataPath { get; init; }

    /// <summary>The S3 bucket for the AWS backends (<c>WREN_BUCKET</c>).</summary>
    public string? Bucket { get; init; }

    /// <summary>The key prefix under which Wren keeps its objects (<c>WREN_PREFIX</c>). Default: <c>wren</c>.</summary>
    public string? Prefix { get; init; }

    /// <summary>The Lambda function that runs calls (<c>WREN_FUNCTION</c>). Default: <c>wren-runtime</c>.</summary>
    public string? Function { get; init; }

    /// <summary>The AWS region (<c>AWS_REGION</c>). Default: the AWS SDK's resolution.</summary>
    public string? Region { get; init; }

    /// <summary>How many worker processes the local backend runs (<c>WREN_LOCAL_WORKERS</c>). Default: one per core.</summary>
    public int? LocalWorkers { get; init; }

    /// <summary>The path of the config file to read (<c>WREN_CONFIG</c>). Default: <c>~/.wren/config.json</c>.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>The clock for timeouts and stats. Default: the system clock.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>
    /// Receives the executor's events under the category <c>Wren</c>: each Map started and ended (with its counts and
    /// estimated cost), invocations throttled or lost and retried, calls retried or failed, fallbacks to AWS Batch.
    /// Traces need no setting: each Map and each invocation is an <see cref="System.Diagnostics.Activity"/> of the
    /// ActivitySource named <c>Wren</c>.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }
}
