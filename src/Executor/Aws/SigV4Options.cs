namespace Wren.Aws;

/// <summary>The choices SigV4 leaves to the service being called; the defaults suit AWS JSON, REST and query APIs.</summary>
internal sealed record SigV4Options
{
    /// <summary>The longest lifetime AWS accepts for a presigned URL: seven days.</summary>
    public static readonly TimeSpan MaxExpires = TimeSpan.FromDays(7);

    /// <summary>The defaults.</summary>
    public static readonly SigV4Options Default = new();

    /// <summary>
    /// Whether to remove dot segments and empty segments from the path and URI-encode each segment again (every
    /// service but S3). When false the path is signed as sent, only made canonically percent-encoded. Default true.
    /// </summary>
    public bool NormalizePath { get; init; } = true;

    /// <summary>Whether header signing adds and signs x-amz-content-sha256 (S3 requires it). Default false.</summary>
    public bool AddContentSha256Header { get; init; }

    /// <summary>
    /// Whether the session token is part of what is signed. A few services want it added after signing instead;
    /// it is sent either way. Default true.
    /// </summary>
    public bool SignSessionToken { get; init; } = true;

    /// <summary>How long a presigned URL stays valid, in whole seconds up to <see cref="MaxExpires"/>. Default one hour.</summary>
    public TimeSpan Expires { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Throws when a property is out of range, saying which and what is allowed.</summary>
    public void Validate()
    {
        if (Expires < TimeSpan.FromSeconds(1) || Expires > MaxExpires || Expires.Ticks % TimeSpan.TicksPerSecond != 0)
            throw new ArgumentException(
                $"SigV4Options.Expires is {Expires}; a presigned URL lives from 1 to {MaxExpires.TotalSeconds:0} seconds (7 days), in whole seconds.");
    }
}
