namespace Wren.Protocol;

/// <summary>One invocation: a chunk of calls of one job, with where to find the function, code and inputs.</summary>
internal sealed record InvocationRequest
{
    public required string ExecutorId { get; init; }
    public required string JobId { get; init; }
    public required StorageLocation Storage { get; init; }

    /// <summary>The function (a serialized delegate with its closure), inline when small; otherwise <see cref="FunctionKey"/>.</summary>
    public byte[]? Function { get; init; }
    public string? FunctionKey { get; init; }

    /// <summary>The key of the user's assemblies (<see cref="CodeManifest.Key"/>): a worker that has loaded them knows them by it.</summary>
    public required string CodeKey { get; init; }

    /// <summary>
    /// The user's assemblies, by name and content hash, under <c>code/&lt;hash&gt;.dll</c>, as <see cref="CodeManifest.List"/>:
    /// read only by a worker that does not know <see cref="CodeKey"/> yet.
    /// </summary>
    public required byte[] CodeList { get; init; }

    /// <summary>The call ids (input indexes) in this chunk.</summary>
    public required int[] CallIds { get; init; }

    /// <summary>The inputs of these calls, one after another, inline; or null when they are at <see cref="DataKey"/>.</summary>
    public byte[]? Data { get; init; }
    public string? DataKey { get; init; }
    public long DataOffset { get; init; }

    /// <summary>Whether the job runs stragglers twice: then a running call also watches its own cancel marker.</summary>
    public bool Speculative { get; init; }

    /// <summary>Which run of each call this is (from 1), in call order; null when all are first runs.</summary>
    public int[]? Attempts { get; init; }

    /// <summary>The length of each call's input within the data, in call order.</summary>
    public required int[] InputLengths { get; init; }

    /// <summary>How many of the chunk's calls may run at once in the worker; null for its processor count.</summary>
    public int? Parallelism { get; init; }

    /// <summary>How long one call may run before the worker gives up on it and on itself.</summary>
    public double TimeoutSeconds { get; init; } = 300;

    /// <summary>Outputs larger than this go to storage instead of into the response.</summary>
    public int InlineOutputLimit { get; init; } = 256 * 1024;

    /// <summary>When set, every output goes to storage, and the whole response to this key (asynchronous invocations read it there).</summary>
    public string? ResponseKey { get; init; }

    public bool StoreResults => ResponseKey is not null;

    /// <summary>Whether each call's output lines go to storage as <c>&lt;call&gt;/log</c> (the local backend, which has no log service).</summary>
    public bool StoreLogs { get; init; }
}

/// <summary>An assembly of the user's code: its simple name and the SHA-256 of its bytes (lower-case hex).</summary>
internal sealed record CodeFile(string Name, string Hash);

/// <summary>Where a job's objects are: a local folder, or an S3 bucket and prefix.</summary>
internal sealed record StorageLocation
{
    public required string Kind { get; init; }
    public string? Path { get; init; }
    public string? Bucket { get; init; }
    public string? Region { get; init; }
    public string Prefix { get; init; } = "";

    /// <summary>On the local backend, the folder that is the data store of <c>WrenStorage</c>.</summary>
    public string? DataPath { get; init; }

    public const string Local = "local";
    public const string S3 = "s3";

    public static StorageLocation ForFolder(string path) => new() { Kind = Local, Path = System.IO.Path.GetFullPath(path) };
}
