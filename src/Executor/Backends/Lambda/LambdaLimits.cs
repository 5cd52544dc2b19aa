namespace Wren.Backends.Lambda;

/// <summary>What AWS Lambda allows a function: one home for the numbers the executor and the CLI check against.</summary>
internal static class LambdaLimits
{
    public const int MinMemoryMb = 128;
    public const int MaxMemoryMb = 10_240;
    public const int MaxTimeoutSeconds = 900;

    /// <summary>The timeout Lambda gives a function created without one.</summary>
    public const int DefaultTimeoutSeconds = 3;

    public static TimeSpan MaxTimeout => TimeSpan.FromSeconds(MaxTimeoutSeconds);

    /// <summary>The largest request or response of a synchronous (RequestResponse) invocation.</summary>
    public const int SynchronousPayloadBytes = 6 * 1024 * 1024;

    /// <summary>The largest request of an asynchronous (Event) invocation.</summary>
    public const int AsynchronousPayloadBytes = 1024 * 1024;

    /// <summary>What of a synchronous payload the inputs may fill: the envelope carries them in base64 (4/3) with room for the rest.</summary>
    public const int SynchronousInlineBytes = 4 * 1024 * 1024;

    /// <summary>What of an asynchronous payload the inputs may fill, on the same reckoning.</summary>
    public const int AsynchronousInlineBytes = 700 * 1024;
}
